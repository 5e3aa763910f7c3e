// lora-cli adapters: the adapter library of one base, headless.
//   list    every adapter folder given (or under --dir), as the GUI's Adapters dock shows it
//   import  a PEFT adapter folder read and checked against the base, with its accuracy;
//           --out re-writes it in our canonical layout
//   merge / unmerge / combine: see cmd_adapters_merge.cpp
#include "cli/adapters.h"
#include "train/adapter_library.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <cmath>
#include <filesystem>

namespace lora::cli {

namespace {

namespace fs = std::filesystem;

Json orNull(float v) {
    return std::isfinite(v) ? Json(v) : Json(nullptr);
}

std::uintmax_t folderBytes(const std::string& dir) {
    std::uintmax_t n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file(ec)) n += e.file_size(ec);
    return n;
}

// The adapter folders named by --adapters DIR,DIR or found directly under --dir PARENT
// (those holding adapter_config.json), sorted by name.
std::vector<std::string> adapterFolders(const Args& args) {
    if (args.has("adapters") == args.has("dir"))
        throw InputError("give exactly one of --adapters DIR,DIR or --dir PARENT");
    if (args.has("adapters")) return splitList(args.required("adapters"));
    const std::string parent = args.required("dir");
    std::error_code ec;
    if (!fs::is_directory(parent, ec)) throw InputError("--dir: " + parent + " is not a directory");
    std::vector<std::string> dirs;
    for (const auto& e : fs::directory_iterator(parent, ec))
        if (e.is_directory(ec) && fs::exists(e.path() / "adapter_config.json", ec))
            dirs.push_back(e.path().string());
    std::sort(dirs.begin(), dirs.end());
    return dirs;
}

int runList(const std::vector<std::string>& argv) {
    const Args args(argv, {"base", "adapters", "dir"}, {});
    const LoadedModel loaded = loadModel(args.required("base"));
    AdapterLibrary library(loaded.model);
    Json list = Json::array();
    for (const std::string& dir : adapterFolders(args)) {
        const AdapterEntry& e = library.import(dir);
        Json item = adapterJson(library.base(), e);
        item["path"] = dir;
        item["bytes_on_disk"] = folderBytes(dir);
        list.push_back(item);
    }
    printResult({{"command", "adapters list"},
                 {"base_arch", loaded.model.architecture()},
                 {"count", list.size()},
                 {"adapters", list}});
    return 0;
}

int runImport(const std::vector<std::string>& argv) {
    const Args args(argv, {"base", "adapter", "classes", "name", "out", "data"}, {});
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

} // namespace

Json adapterJson(const Mlp& base, const AdapterEntry& e) {
    Json layers = Json::array();
    for (const LayerAdapter& l : e.weights.layers)
        layers.push_back({{"layer", base.layerName(l.layer)},
                          {"rank", l.spec.rank},
                          {"alpha", l.spec.alpha},
                          {"scale", l.spec.scale()}});
    const LoraSpec& spec = e.weights.spec;
    return {{"name", e.name},
            {"rank", spec.rank},
            {"alpha", spec.alpha},
            {"rslora", spec.rslora},
            {"init", toString(spec.init)},
            {"targets", e.targets(base)},
            {"layers", layers},
            {"classes", e.info.classes},
            {"test_accuracy", orNull(e.info.testAccuracy)},
            {"params", e.weights.paramCount()},
            {"bytes", adapterBytes(base, e.weights, e.info)}};
}

int runAdapters(const std::vector<std::string>& argv) {
    const std::string actions = "list, import, merge, unmerge or combine";
    if (argv.empty()) throw InputError("adapters needs an action: " + actions);
    const std::string action = argv.front();
    const std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (action == "list") return runList(rest);
    if (action == "import") return runImport(rest);
    if (action == "merge") return runMergeAdapter(rest);
    if (action == "unmerge") return runUnmergeAdapter(rest);
    if (action == "combine") return runCombineAdapters(rest);
    throw InputError("unknown adapters action '" + action + "' (use " + actions + ")");
}

} // namespace lora::cli
