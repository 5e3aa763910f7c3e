// lora-cli adapters combine: PEFT's add_weighted_adapter for our adapters — several adapter
// folders on one base become one new folder (linear, cat or svd), with the measured gap
// between the new ΔW and Σ wᵢ·ΔWᵢ per layer.
// lora-cli adapters merge: W + s·BA as a plain base file, with what merging costs.
#include "cli/common.h"
#include "io/adapter_dir.h"
#include "nn/adapter_combine.h"
#include "nn/architecture.h"
#include "train/merge_check.h"
#include "util/error.h"

#include <cmath>

namespace lora::cli {

namespace {

std::vector<float> parseWeights(const std::string& text, std::size_t count) {
    std::vector<float> weights;
    for (const std::string& item : splitList(text)) {
        char* end = nullptr;
        const float w = std::strtof(item.c_str(), &end);
        if (item.empty() || *end != '\0' || !std::isfinite(w))
            throw InputError("--weights: '" + item + "' is not a number");
        weights.push_back(w);
    }
    if (weights.size() != count)
        throw InputError("--weights has " + std::to_string(weights.size()) + " values for " +
                         std::to_string(count) + " adapters");
    return weights;
}

int runCombine(const std::vector<std::string>& argv) {
    const Args args(argv, {"base", "adapters", "method", "weights", "rank", "out"}, {});
    LoadedModel loaded = loadModel(args.required("base"));
    Mlp& model = loaded.model;
    const std::vector<std::string> dirs = splitList(args.required("adapters"));
    CombineOptions options;
    options.method = combineMethodFromString(args.text("method", "cat"));
    options.svdRank = static_cast<int>(args.integer("rank", 0, 0, kMaxLayerWidth));
    if (args.has("weights")) options.weights = parseWeights(args.text("weights", ""), dirs.size());
    const std::string out = args.required("out");

    std::vector<AdapterWeights> parts;
    std::vector<int> classes;
    for (const std::string& dir : dirs) {
        const LoadedAdapter adapter = loadAdapter(dir, model);
        if (parts.empty()) classes = adapter.info.classes;
        if (adapter.info.classes != classes) classes.clear(); // trained for different digits
        parts.push_back(extractAdapter(model));
    }
    const AdapterWeights combined = combineAdapters(model, parts, options);
    if (options.weights.empty()) options.weights.assign(parts.size(), 1.0f);

    Json layers = Json::array();
    for (const LayerAdapter& l : combined.layers) {
        const Matrix target = weightedDelta(model, parts, options.weights, l.layer);
        layers.push_back({{"layer", model.layerName(l.layer)},
                          {"max_abs_gap", (combined.delta(l) - target).cwiseAbs().maxCoeff()},
                          {"target_max_abs", target.cwiseAbs().maxCoeff()}});
    }
    attachAdapter(model, combined);
    saveAdapter(out, model, AdapterInfo{classes});

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

// Merges an adapter folder into its base: the logit and round-trip figures, and optionally
// the merged model as a plain base file.
int runMerge(const std::vector<std::string>& argv) {
    const Args args(argv, {"base", "adapter", "classes", "data", "out"}, {});
    LoadedModel loaded = loadModel(args.required("base"));
    const std::string dir = args.required("adapter");
    const LoadedAdapter adapter = loadAdapter(dir, loaded.model);
    std::vector<int> classes = adapter.info.classes;
    if (args.has("classes") || classes.empty()) classes = chooseClasses(args, loaded);
    const TaskData task = loadTask(args, classes);
    const MergeReport report = checkMerge(loaded.model, task.test);
    const std::string out = args.text("out", "");
    if (!out.empty()) saveModel(out, mergedModel(loaded.model), ModelInfo{classes});
    printResult({{"command", "adapters merge"},
                 {"adapter", dir},
                 {"classes", classes},
                 {"test_samples", task.test.size()},
                 {"max_logit_diff", report.maxLogitDiff},
                 {"max_unmerge_error", report.maxUnmergeError},
                 {"accuracy_unmerged", report.accuracyUnmerged},
                 {"accuracy_merged", report.accuracyMerged},
                 {"out", out}});
    return 0;
}

} // namespace

int runAdapters(const std::vector<std::string>& argv) {
    if (argv.empty()) throw InputError("adapters needs an action: combine or merge");
    const std::string action = argv.front();
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (action == "combine") return runCombine(rest);
    if (action == "merge") return runMerge(rest);
    throw InputError("unknown adapters action '" + action + "' (use combine or merge)");
}

} // namespace lora::cli
