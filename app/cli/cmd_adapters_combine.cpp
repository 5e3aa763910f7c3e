// lora-cli adapters combine: PEFT's add_weighted_adapter — several adapter folders on one base
// become one new folder (linear, cat or svd), with the measured gap between the new ΔW and
// Σ wᵢ·ΔWᵢ per layer.
#include "cli/adapters.h"
#include "io/adapter_dir.h"
#include "nn/adapter_combine.h"
#include "util/error.h"
#include "util/list_parse.h"

namespace lora::cli {

namespace {

std::vector<float> parseWeights(const std::string& text, std::size_t count) {
    const std::vector<float> weights = parseFloatList(text, "--weights");
    if (weights.size() != count)
        throw InputError("--weights has " + std::to_string(weights.size()) + " values for " +
                         std::to_string(count) + " adapters");
    return weights;
}

Json layersJson(const Mlp& base, const AdapterWeights& combined,
                const std::vector<AdapterWeights>& parts, const std::vector<float>& weights) {
    Json layers = Json::array();
    for (const LayerAdapter& l : combined.layers) {
        const Matrix target = weightedDelta(base, parts, weights, l.layer);
        layers.push_back({{"layer", base.layerName(l.layer)},
                          {"rank", l.spec.rank},
                          {"max_abs_gap", (l.delta() - target).cwiseAbs().maxCoeff()},
                          {"target_max_abs", target.cwiseAbs().maxCoeff()}});
    }
    return layers;
}

} // namespace

int runAdaptersCombine(const Args& args) {
    const LoadedModel loaded = loadModel(args.required("base"));
    AdapterLibrary library(loaded.model);
    const std::vector<std::string> dirs = parseNameList(args.required("adapters"), "--adapters");
    CombineOptions options;
    options.method = combineMethodFromString(args.text("method", "cat"));
    options.svdRank = static_cast<int>(args.integer("rank", 0, 0, kMaxRank));
    if (args.has("weights")) options.weights = parseWeights(args.text("weights", ""), dirs.size());
    const std::string out = args.required("out");

    std::vector<AdapterWeights> parts;
    std::vector<int> classes;
    for (const std::string& dir : dirs) {
        const AdapterEntry& e = library.import(dir);
        if (parts.empty()) classes = e.info.classes;
        if (e.info.classes != classes) classes.clear(); // trained for different digits
        parts.push_back(e.weights);
    }
    const Mlp& base = library.base();
    const AdapterWeights combined = combineAdapters(base, parts, options);
    // cat adds the inputs' ranks up; the result must still be an adapter anything can read.
    for (const LayerAdapter& l : combined.layers) l.spec.validate();
    if (options.weights.empty()) options.weights.assign(parts.size(), 1.0f);
    const Json layers = layersJson(base, combined, parts, options.weights);
    writeAdapter(out, base, combined, AdapterInfo{classes});

    printResult({{"command", "adapters combine"},
                 {"method", toString(options.method)},
                 {"inputs", dirs},
                 {"weights", options.weights},
                 {"rank", combined.spec.rank},
                 {"alpha", combined.spec.alpha},
                 {"params", combined.paramCount()},
                 {"layers", layers},
                 {"out", out}});
    return 0;
}

} // namespace lora::cli
