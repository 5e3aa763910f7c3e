// lora-cli adapters list: every adapter folder given (or under --dir), read and checked against
// the base, as the GUI's Adapters dock shows it.
#include "cli/adapters.h"
#include "util/error.h"
#include "util/list_parse.h"

#include <algorithm>
#include <filesystem>

namespace lora::cli {

namespace {

namespace fs = std::filesystem;

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
    if (args.has("adapters")) return parseNameList(args.required("adapters"), "--adapters");
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

} // namespace

int runAdaptersList(const Args& args) {
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

} // namespace lora::cli
