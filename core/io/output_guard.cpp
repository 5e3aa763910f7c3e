#include "io/output_guard.h"

#include "util/error.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lora {

namespace {

namespace fs = std::filesystem;

constexpr const char* kAdapterMarker = "adapter_config.json";

// What an existing non-regular path is, for "cannot write P: it is …".
std::string kindOf(const struct stat& st) {
    if (S_ISLNK(st.st_mode)) return "a symbolic link";
    if (S_ISDIR(st.st_mode)) return "a folder";
    if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "a device";
    if (S_ISFIFO(st.st_mode)) return "a FIFO";
    if (S_ISSOCK(st.st_mode)) return "a socket";
    return "a file";
}

// false if `path` does not exist; any other lstat failure is refused.
bool lstatOutput(const std::string& path, struct stat& st) {
    if (::lstat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT) return false;
    throw InputError("cannot write " + shownPath(path) + ": " + std::strerror(errno));
}

bool isEmptyFolder(const std::string& path) {
    DIR* d = ::opendir(path.c_str());
    if (!d) return false;
    bool empty = true;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") {
            empty = false;
            break;
        }
    }
    ::closedir(d);
    return empty;
}

bool holdsRegularFile(const std::string& dir, const std::string& name) {
    struct stat st {};
    return ::lstat((dir + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

[[noreturn]] void refuseForeignFolder(const std::string& path, const std::string& lacking) {
    throw InputError("cannot write " + shownPath(path) +
                     ": it is a folder LoRA Explorer did not write (" + lacking +
                     "); choose a new or empty folder");
}

using FileId = std::pair<dev_t, ino_t>;

// A file some reader takes from a folder it is given: an adapter's two files, a session's
// session.json, the MNIST IDX files. Other files in a folder are nobody's input, so an output
// may replace them (a model written into the data folder by the previous run, say).
bool readFromFolders(const std::string& name) {
    return name == kAdapterMarker || name.rfind("adapter_model.", 0) == 0 ||
           name == "session.json" || name.find("-ubyte") != std::string::npos;
}

// `path` and, for a folder, what it holds that a reader takes from it, down to `depth` levels
// (at most `budget` entries: the check stays cheap on a big folder).
void collectIds(const std::string& path, int depth, int& budget, std::map<FileId, int>& ids,
                int label, bool top = true) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return;
    if (!top && !S_ISDIR(st.st_mode) && !readFromFolders(fs::path(path).filename().string()))
        return;
    ids.emplace(FileId{st.st_dev, st.st_ino}, label);
    if (!S_ISDIR(st.st_mode) || depth == 0) return;
    std::error_code ec;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end && budget > 0;
         it.increment(ec), --budget)
        collectIds(it->path().string(), depth - 1, budget, ids, label, false);
}

// "<name>.lora-tmp-<pid>-<n>": the pid, or 0 if `name` is not such a name; `kind` and
// `target` (the name it stands in for) are set.
pid_t tempOwner(const std::string& name, std::string& kind, std::string& target) {
    for (const char* k : {"tmp", "old"}) {
        const std::string tag = std::string(".lora-") + k + "-";
        const std::size_t at = name.rfind(tag);
        if (at == std::string::npos || at == 0) continue;
        const std::string rest = name.substr(at + tag.size());
        const std::size_t dash = rest.find('-');
        if (dash == std::string::npos || dash == 0 || dash + 1 == rest.size() ||
            rest.find_first_not_of("0123456789-") != std::string::npos ||
            rest.find('-', dash + 1) != std::string::npos || dash > 9)
            continue;
        kind = k;
        target = name.substr(0, at);
        return static_cast<pid_t>(std::strtol(rest.substr(0, dash).c_str(), nullptr, 10));
    }
    return 0;
}

bool processRuns(pid_t pid) {
    return pid == ::getpid() || ::kill(pid, 0) == 0 || errno == EPERM;
}

} // namespace

std::string shownPath(const std::string& path) {
    return path.size() <= 160 ? path : path.substr(0, 80) + "…" + path.substr(path.size() - 60);
}

void checkFileOutput(const std::string& path) {
    struct stat st {};
    if (!lstatOutput(path, st) || S_ISREG(st.st_mode)) return;
    throw InputError("cannot write " + shownPath(path) + ": it is " + kindOf(st) +
                     ", and only a regular file is replaced");
}

void checkFolderOutput(const std::string& path,
                       const std::function<bool(const std::string&)>& isOurs,
                       const std::string& lacking) {
    struct stat st {};
    if (!lstatOutput(path, st)) return;
    if (!S_ISDIR(st.st_mode))
        throw InputError("cannot write " + shownPath(path) + ": it is " + kindOf(st) +
                         ", not a folder LoRA Explorer wrote");
    if (!isEmptyFolder(path) && !isOurs(path)) refuseForeignFolder(path, lacking);
}

void checkOutputTarget(const std::string& path) {
    struct stat st {};
    if (!lstatOutput(path, st) || S_ISREG(st.st_mode)) return;
    if (S_ISDIR(st.st_mode)) {
        if (!isEmptyFolder(path) && !holdsRegularFile(path, kAdapterMarker))
            refuseForeignFolder(path, std::string("no ") + kAdapterMarker);
        return;
    }
    throw InputError("cannot write " + shownPath(path) + ": it is " + kindOf(st) +
                     ", and only a regular file or a folder LoRA Explorer wrote is replaced");
}

void checkOutputsAreNotInputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                              const std::vector<std::pair<std::string, std::string>>& inputs) {
    // An input folder is read down to three levels (--data DIR/MNIST/raw); of an output
    // folder, the files a folder write replaces.
    std::map<FileId, int> read;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        int budget = 4096;
        collectIds(inputs[i].second, 3, budget, read, static_cast<int>(i));
    }
    for (const auto& [label, path] : outputs) {
        std::map<FileId, int> written;
        int budget = 4096;
        collectIds(path, 1, budget, written, 0);
        for (const auto& entry : written) {
            const auto hit = read.find(entry.first);
            if (hit == read.end()) continue;
            const auto& [inLabel, inPath] = inputs[static_cast<std::size_t>(hit->second)];
            throw InputError(label + " " + shownPath(path) + " would overwrite the input " +
                             inLabel + " " + shownPath(inPath) + "; choose another path");
        }
    }
}

std::string tempPathFor(const std::string& path, const char* kind) {
    // pid + counter keeps concurrent writers (threads or processes) off each other's names;
    // the pid also tells a later writer whether the owner is gone.
    static std::atomic<unsigned> counter{0};
    return path + ".lora-" + kind + "-" + std::to_string(::getpid()) + "-" +
           std::to_string(counter++);
}

void removeStaleTemps(const std::string& dir) {
    DIR* d = ::opendir(dir.empty() ? "." : dir.c_str());
    if (!d) return;
    std::vector<std::pair<std::string, std::string>> stale; // (entry, what it stood in for)
    std::string kind, target;
    while (const dirent* e = ::readdir(d)) {
        const pid_t pid = tempOwner(e->d_name, kind, target);
        if (pid > 0 && !processRuns(pid))
            stale.emplace_back(e->d_name, kind == "old" ? target : std::string());
    }
    ::closedir(d);
    const fs::path base = dir.empty() ? fs::path(".") : fs::path(dir);
    std::error_code ec;
    for (const auto& [name, restore] : stale) {
        // An old folder moved aside by a two-rename swap is the only copy of the old state
        // when the new one never arrived: put it back.
        struct stat st {};
        if (!restore.empty() && ::lstat((base / restore).c_str(), &st) != 0 && errno == ENOENT &&
            ::rename((base / name).c_str(), (base / restore).c_str()) == 0)
            continue;
        fs::remove_all(base / name, ec);
    }
}

} // namespace lora
