// lora-cli svd: how well a rank-r truncated SVD approximates a layer's weight (or an
// adapter's update), for one r or the whole curve r = 0…min(m, n).
#include "cli/common.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "linalg/truncated_svd.h"
#include "nn/model_budget.h"
#include "util/error.h"

namespace lora::cli {

namespace {

Json errorJson(const ApproximationError& e) {
    return {{"rank", e.rank},
            {"frobenius_error", e.frobenius},
            {"relative_error", e.relative},
            {"energy", e.energy}};
}

// fcN's W from --base; with --adapter its merged W + ΔW, or ΔW alone with --delta.
Matrix layerMatrix(const Args& args, std::string& source) {
    LoadedModel loaded = loadModel(args.required("base"));
    Mlp& model = loaded.model;
    const std::string layer = args.required("layer");
    const int index = model.layerIndex(layer);
    if (index < 0)
        throw InputError("--layer: the base has no layer '" + layer + "' (it has fc1…fc" +
                         std::to_string(model.layerCount()) + ")");
    source = args.required("base") + ":" + layer;
    if (args.has("delta") && !args.has("adapter")) throw InputError("--delta needs --adapter");
    checkSvdBudget(model.layer(index).out(), model.layer(index).in(), "--layer " + layer);
    if (!args.has("adapter")) return model.layer(index).W;

    loadAdapter(args.required("adapter"), model);
    const LoraLinear* adapter = model.adapter(index);
    if (!adapter) throw InputError("--adapter: the adapter does not target layer '" + layer + "'");
    source += args.has("delta") ? " ΔW of " : " merged with ";
    source += args.required("adapter");
    if (args.has("delta")) return adapter->delta();
    return model.layer(index).W + adapter->delta();
}

} // namespace

int runSvd(const Args& args) {
    std::string source;
    Matrix w;
    if (args.has("base")) {
        if (args.has("matrix") || args.has("example"))
            throw InputError("--base cannot be combined with --matrix or --example");
        w = layerMatrix(args, source);
    } else {
        if (args.has("layer") || args.has("adapter") || args.has("delta"))
            throw InputError("--layer, --adapter and --delta need --base");
        w = chooseMatrix(args);
        source =
            args.has("example") ? "example " + args.required("example") : args.required("matrix");
    }
    if (args.has("rank") == args.has("all-ranks"))
        throw InputError("give exactly one of --rank R or --all-ranks");

    const TruncatedSvd svd(w);
    const Eigen::VectorXd& sigma = svd.singularValues();
    Json result = {
        {"command", "svd"},
        {"source", source},
        {"rows", w.rows()},
        {"cols", w.cols()},
        {"max_rank", svd.maxRank()},
        {"numerical_rank", svd.numericalRank()},
        {"frobenius_norm", svd.frobeniusNorm()},
        {"singular_values", std::vector<double>(sigma.data(), sigma.data() + sigma.size())}};
    if (args.has("all-ranks")) {
        Json curve = Json::array();
        for (const ApproximationError& e : svd.errorCurve()) curve.push_back(errorJson(e));
        result["curve"] = curve;
    } else {
        const int r = static_cast<int>(args.integer("rank", 0, 0, svd.maxRank()));
        const ApproximationError e = svd.error(r);
        result.update(errorJson(e));
        // What storing W_r as the thin factors B [m, r], A [r, n] costs against W itself.
        result["factor_params"] = static_cast<long long>(r) * (w.rows() + w.cols());
        result["full_params"] = static_cast<long long>(w.rows()) * w.cols();
        logLine("rank " + std::to_string(r) + ": relative error " + std::to_string(e.relative) +
                ", energy kept " + std::to_string(e.energy * 100.0) + " %");
    }
    printResult(result);
    return 0;
}

} // namespace lora::cli
