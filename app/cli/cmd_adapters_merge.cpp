// lora-cli adapters merge: what folding an adapter into W costs — the logits' change and the
// error a merge + unmerge leaves — and optionally the merged model as a plain base file.
#include "cli/adapters.h"

namespace lora::cli {

int runAdaptersMerge(const Args& args) {
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

} // namespace lora::cli
