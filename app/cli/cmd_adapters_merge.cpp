// lora-cli adapters merge / unmerge / combine: what folding an adapter into W costs, taking
// it out again, and PEFT's add_weighted_adapter over adapter folders.
#include "cli/adapters.h"
#include "nn/adapter_combine.h"
#include "nn/architecture.h"
#include "util/error.h"

#include <cmath>
#include <optional>

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

} // namespace

// The merge figures measured through the adapter library (merge, then unmerge), and
// optionally the merged model as a plain base file.
int runMergeAdapter(const std::vector<std::string>& argv) {
    const Args args(argv, {"base", "adapter", "classes", "data", "out"}, {});
    const LoadedModel loaded = loadModel(args.required("base"));
    AdapterLibrary library(loaded.model);
    const std::string dir = args.required("adapter");
    const std::string name = library.import(dir).name;
    std::vector<int> classes = library.at(name).info.classes;
    if (args.has("classes") || classes.empty()) classes = chooseClasses(args, loaded);
    const TaskData task = loadTask(args, classes);
    library.setActive(name);
    const MergeReport report = library.merge(task.test);
    const std::string out = args.text("out", "");
    if (!out.empty()) saveModel(out, mergedModel(library.modelWith(name)), ModelInfo{classes});
    const double unmergeError = library.unmerge();
    printResult({{"command", "adapters merge"},
                 {"adapter", dir},
                 {"classes", classes},
                 {"test_samples", task.test.size()},
                 {"max_logit_diff", report.maxLogitDiff},
                 {"max_unmerge_error", unmergeError},
                 {"accuracy_unmerged", report.accuracyUnmerged},
                 {"accuracy_merged", report.accuracyMerged},
                 {"out", out}});
    return 0;
}

// W_merged − s·BA for every layer the adapter targets: the base back out of a merged file.
int runUnmergeAdapter(const std::vector<std::string>& argv) {
    const Args args(argv, {"merged", "adapter", "original", "out"}, {});
    LoadedModel merged = loadModel(args.required("merged"));
    const std::string out = args.required("out");
    const ImportedAdapter adapter = readAdapter(args.required("adapter"), merged.model);
    std::optional<LoadedModel> original;
    if (args.has("original")) {
        original = loadModel(args.required("original"));
        if (original->model.architecture() != merged.model.architecture())
            throw InputError("--original is " + original->model.architecture() +
                             " but the merged model is " + merged.model.architecture());
    }
    for (const LayerAdapter& l : adapter.weights.layers) merged.model.layer(l.layer).W -= l.delta();

    Json result = {{"command", "adapters unmerge"},
                   {"adapter", args.required("adapter")},
                   {"layers", adapter.weights.layers.size()},
                   {"out", out}};
    if (original) {
        double diff = 0;
        for (int i = 0; i < merged.model.layerCount(); ++i)
            diff = std::max<double>(
                diff, (merged.model.layer(i).W - original->model.layer(i).W).cwiseAbs().maxCoeff());
        result["max_abs_diff_vs_original"] = diff;
    }
    // The digits the base answers for are the original's; without it, the merged file's.
    const ModelInfo info = original ? original->info : merged.info;
    result["classes"] = info.classes;
    saveModel(out, merged.model, info);
    printResult(result);
    return 0;
}

// Several adapter folders on one base become one new folder (linear, cat or svd), with the
// measured gap between the new ΔW and Σ wᵢ·ΔWᵢ per layer.
int runCombineAdapters(const std::vector<std::string>& argv) {
    const Args args(argv, {"base", "adapters", "method", "weights", "rank", "out"}, {});
    const LoadedModel loaded = loadModel(args.required("base"));
    AdapterLibrary library(loaded.model);
    const std::vector<std::string> dirs = splitList(args.required("adapters"));
    CombineOptions options;
    options.method = combineMethodFromString(args.text("method", "cat"));
    options.svdRank = static_cast<int>(args.integer("rank", 0, 0, kMaxLayerWidth));
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
    if (options.weights.empty()) options.weights.assign(parts.size(), 1.0f);

    Json layers = Json::array();
    for (const LayerAdapter& l : combined.layers) {
        const Matrix target = weightedDelta(base, parts, options.weights, l.layer);
        layers.push_back({{"layer", base.layerName(l.layer)},
                          {"rank", l.spec.rank},
                          {"max_abs_gap", (l.delta() - target).cwiseAbs().maxCoeff()},
                          {"target_max_abs", target.cwiseAbs().maxCoeff()}});
    }
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
