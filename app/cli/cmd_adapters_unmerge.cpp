// lora-cli adapters unmerge: W_merged − s·BA for every layer the adapter targets — the base
// back out of a merged file, measured against the original when it is given.
#include "cli/adapters.h"
#include "io/adapter_dir.h"
#include "util/error.h"

#include <algorithm>
#include <optional>

namespace lora::cli {

int runAdaptersUnmerge(const Args& args) {
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

} // namespace lora::cli
