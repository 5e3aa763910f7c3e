// lora-cli analyze: the LoRA paper's §7 questions for one layer of a trained adapter — how
// many directions ΔW really uses, whether two adapters learned the same subspace, and how
// strongly ΔW amplifies directions W itself barely uses.
#include "cli/common.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "linalg/adapter_analysis.h"
#include "util/error.h"

#include <algorithm>

namespace lora::cli {
namespace {

// The adapter in `dir` attached to a copy of `base`, and its LoRA layer at `index`.
const LoraLinear& adapterAt(Mlp& model, const std::string& dir, int index,
                            const std::string& layer) {
    loadAdapter(dir, model);
    const LoraLinear* adapter = model.adapter(index);
    if (!adapter) throw InputError(dir + ": the adapter does not target layer '" + layer + "'");
    return *adapter;
}

} // namespace

int runAnalyze(const Args& args) {
    const LoadedModel loaded = loadModel(args.required("base"));
    const std::string layer = args.text("layer", "fc1");
    const int index = loaded.model.layerIndex(layer);
    if (index < 0)
        throw InputError("--layer: the base has no layer '" + layer + "' (it has fc1…fc" +
                         std::to_string(loaded.model.layerCount()) + ")");

    Mlp model = loaded.model;
    const LoraLinear& adapter = adapterAt(model, args.required("adapter"), index, layer);
    const Matrix& w = loaded.model.layer(index).W;
    const Matrix delta = adapter.delta();
    const Spectrum spectrum = spectrumOf(delta);
    const int maxRank = static_cast<int>(std::min(w.rows(), w.cols()));
    const int r =
        static_cast<int>(args.integer("rank", std::min(adapter.rank(), maxRank), 1, maxRank));
    Rng rng(args.seed("seed"));
    const Amplification amp = amplification(w, delta, r, rng);

    const Eigen::VectorXd& s = spectrum.singularValues;
    Json result = {{"command", "analyze"},
                   {"layer", layer},
                   {"adapter_rank", adapter.rank()},
                   {"scale", adapter.scale()},
                   {"delta_singular_values", std::vector<double>(s.data(), s.data() + s.size())},
                   {"delta_numerical_rank", spectrum.numericalRank},
                   {"delta_frobenius", spectrum.frobeniusNorm},
                   {"amplification",
                    {{"rank", amp.rank},
                     {"weight_frobenius", amp.weightNorm},
                     {"delta_frobenius", amp.deltaNorm},
                     {"projection_on_delta", amp.projectionOnDelta},
                     {"projection_on_weight", amp.projectionOnWeight},
                     {"projection_on_random", amp.projectionOnRandom},
                     {"factor", amp.factor}}}};
    if (args.has("compare")) {
        Mlp other = loaded.model;
        const LoraLinear& second = adapterAt(other, args.required("compare"), index, layer);
        const Eigen::MatrixXd grid = subspaceSimilarity(adapter.A, second.A);
        Json rows = Json::array();
        for (Eigen::Index i = 0; i < grid.rows(); ++i) {
            std::vector<double> row(grid.cols());
            for (Eigen::Index j = 0; j < grid.cols(); ++j) row[j] = grid(i, j);
            rows.push_back(row);
        }
        result["compare_rank"] = second.rank();
        result["subspace_similarity"] = rows;
    }
    logLine(layer + ": ΔW has numerical rank " + std::to_string(spectrum.numericalRank) +
            ", amplification factor " + std::to_string(amp.factor));
    printResult(result);
    return 0;
}

} // namespace lora::cli
