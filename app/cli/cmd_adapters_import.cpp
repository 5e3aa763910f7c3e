// lora-cli adapters import: a PEFT adapter folder read and checked against the base, with its
// accuracy on the test split; --out re-writes it in our canonical layout.
#include "cli/adapters.h"
#include "train/evaluate.h"

namespace lora::cli {

int runAdaptersImport(const Args& args) {
    LoadedModel loaded = loadModel(args.required("base"));
    AdapterLibrary library(loaded.model);
    const std::string dir = args.required("adapter");
    const std::string name = library.import(dir, args.text("name", "")).name;
    std::vector<int> classes = library.at(name).info.classes;
    if (args.has("classes") || classes.empty()) classes = chooseClasses(args, loaded);
    library.setActive(name);
    const TaskData task = loadTask(args, classes);
    Mlp model = library.model();
    const Evaluation ev = evaluate(model, task.test);
    library.setTestAccuracy(name, ev.accuracy);

    const std::string out = args.text("out", "");
    if (!out.empty()) library.exportAdapter(name, out);
    Json result = adapterJson(library.base(), library.at(name));
    result["command"] = "adapters import";
    result["path"] = dir;
    result["classes"] = classes;
    result["test_samples"] = task.test.size();
    result["out"] = out;
    printResult(result);
    return 0;
}

} // namespace lora::cli
