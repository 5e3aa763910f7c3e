#include "io/atomic_file.h"

#include "io/output_guard.h"
#include "util/error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lora {

namespace {

namespace fs = std::filesystem;

bool writeAll(int fd, const std::uint8_t* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Makes a rename inside `dir` durable; failure here loses nothing already written, so it is
// not reported.
void syncDirectory(const std::string& dir) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

std::string parentOf(const std::string& path) {
    return fs::path(path).parent_path().string();
}

} // namespace

void writeFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    checkFileOutput(path);
    removeStaleTemps(parentOf(path));
    const std::string temp = tempPathFor(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) throw InputError("cannot write " + shownPath(path) + ": " + std::strerror(errno));

    bool ok = writeAll(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
    int error = ok ? 0 : errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        error = errno;
    }
    if (ok) {
        try {
            checkFileOutput(path); // again: a link or device may have appeared meanwhile
        } catch (const InputError&) {
            ::unlink(temp.c_str());
            throw;
        }
    }
    if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
        ok = false;
        error = errno;
    }
    if (!ok) {
        ::unlink(temp.c_str());
        throw InputError("cannot write " + shownPath(path) + ": " + std::strerror(error));
    }
    syncDirectory(parentOf(path));
}

void writeFileAtomic(const std::string& path, const std::string& text) {
    writeFileAtomic(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

namespace {

// Bounds what carrying a folder's other entries across may cost.
constexpr int kMaxCarried = 100000;
constexpr int kMaxCarryDepth = 32;

// Mode (and, as root, owner) of the entry `st` describes; chown first, as it clears set-id bits.
void keepMode(const std::string& path, const struct stat& st) {
    if (::geteuid() == 0) (void)::lchown(path.c_str(), st.st_uid, st.st_gid);
    if (!S_ISLNK(st.st_mode)) ::chmod(path.c_str(), st.st_mode & 07777);
}

[[noreturn]] void cannotKeep(const std::string& path, int error) {
    throw InputError("cannot keep " + shownPath(path) +
                     " in the new folder: " + std::strerror(error));
}

void carryOver(const std::string& from, const std::string& to, const std::vector<std::string>& skip,
               int depth, int& budget);

// One entry of the old folder recreated at `dst`: files as hard links (a copy where the file
// system refuses links), folders entry by entry, links and special files as they were.
void carryEntry(const std::string& src, const std::string& dst, int depth, int& budget) {
    if (--budget < 0)
        throw InputError("cannot keep the folder's other entries: there are over " +
                         std::to_string(kMaxCarried));
    struct stat st {};
    if (::lstat(src.c_str(), &st) != 0) cannotKeep(src, errno);
    if (S_ISDIR(st.st_mode)) {
        if (depth >= kMaxCarryDepth)
            throw InputError("cannot keep " + shownPath(src) + ": folders nested too deep");
        if (::mkdir(dst.c_str(), 0700) != 0) cannotKeep(src, errno);
        carryOver(src, dst, {}, depth + 1, budget);
    } else if (S_ISREG(st.st_mode)) {
        std::error_code ec;
        if (::link(src.c_str(), dst.c_str()) != 0 && !fs::copy_file(src, dst, ec))
            cannotKeep(src, ec ? ec.value() : errno);
        return; // a link shares the inode's mode and owner already
    } else if (S_ISLNK(st.st_mode)) {
        std::string target(static_cast<std::size_t>(st.st_size) + 1, '\0');
        const ssize_t n = ::readlink(src.c_str(), target.data(), target.size());
        if (n < 0) cannotKeep(src, errno);
        target.resize(static_cast<std::size_t>(n));
        if (::symlink(target.c_str(), dst.c_str()) != 0) cannotKeep(src, errno);
    } else if (::mknod(dst.c_str(), st.st_mode, st.st_rdev) != 0) {
        cannotKeep(src, errno);
    }
    keepMode(dst, st);
}

// Every entry of `from` that `to` lacks (and `skip` does not name), carried into `to`.
void carryOver(const std::string& from, const std::string& to, const std::vector<std::string>& skip,
               int depth, int& budget) {
    std::vector<std::string> names;
    DIR* d = ::opendir(from.c_str());
    if (!d) cannotKeep(from, errno);
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
    for (const std::string& name : names) {
        struct stat st {};
        if (std::find(skip.begin(), skip.end(), name) != skip.end() ||
            ::lstat((to + "/" + name).c_str(), &st) == 0)
            continue;
        carryEntry(from + "/" + name, to + "/" + name, depth, budget);
    }
}

// `temp` (complete) takes the place of `target`; with `had`, the old folder ends up at `temp`
// and is removed.
void swapIn(const std::string& temp, const std::string& target, bool had) {
    const std::string parent = parentOf(target);
    if (!had) {
        if (::rename(temp.c_str(), target.c_str()) != 0)
            throw InputError("cannot write " + shownPath(target) + ": " + std::strerror(errno));
        syncDirectory(parent);
        return;
    }
    std::error_code ec;
    if (::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
        syncDirectory(parent);
        fs::remove_all(temp, ec);
        return;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
        throw InputError("cannot write " + shownPath(target) + ": " + std::strerror(errno));
    // A file system that cannot exchange: two renames. Between them the old folder waits
    // under a "lora-old" name, which removeStaleTemps puts back if this process dies there.
    const std::string old = tempPathFor(target, "old");
    if (::rename(target.c_str(), old.c_str()) != 0)
        throw InputError("cannot write " + shownPath(target) + ": " + std::strerror(errno));
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int error = errno;
        ::rename(old.c_str(), target.c_str());
        throw InputError("cannot write " + shownPath(target) + ": " + std::strerror(error));
    }
    syncDirectory(parent);
    fs::remove_all(old, ec);
}

} // namespace

void replaceDirectoryAtomic(const std::string& dir,
                            const std::function<void(const std::string& temp)>& fill,
                            const std::vector<std::string>& owned,
                            const std::function<bool(const std::string&)>& isOurs,
                            const std::string& lacking) {
    fs::path normal = fs::path(dir).lexically_normal();
    if (!normal.has_filename() && normal.has_parent_path()) normal = normal.parent_path();
    const std::string target = normal.string();
    checkFolderOutput(target, isOurs, lacking);
    std::error_code ec;
    if (normal.has_parent_path()) {
        fs::create_directories(normal.parent_path(), ec);
        if (ec)
            throw InputError("cannot create " + shownPath(normal.parent_path().string()) + ": " +
                             ec.message());
    }
    removeStaleTemps(parentOf(target));
    const std::string temp = tempPathFor(target);
    if (::mkdir(temp.c_str(), 0777) != 0)
        throw InputError("cannot write " + shownPath(target) + ": " + std::strerror(errno));
    try {
        fill(temp);
        struct stat old {};
        const bool had = ::lstat(target.c_str(), &old) == 0 && S_ISDIR(old.st_mode);
        if (had) {
            int budget = kMaxCarried;
            try {
                carryOver(target, temp, owned, 0, budget);
            } catch (const InputError& e) {
                throw InputError("cannot write " + shownPath(target) + ": " + e.what());
            }
            keepMode(temp, old);
        }
        checkFolderOutput(target, isOurs, lacking); // again, just before the swap
        syncDirectory(temp);
        swapIn(temp, target, had);
    } catch (...) {
        fs::remove_all(temp, ec);
        throw;
    }
}

void writeDirectoryAtomic(
    const std::string& dir,
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& files) {
    const std::string marker = files.empty() ? std::string() : files.back().first;
    const auto isOurs = [&](const std::string& folder) {
        struct stat st {};
        return !marker.empty() && ::lstat((folder + "/" + marker).c_str(), &st) == 0 &&
               S_ISREG(st.st_mode);
    };
    replaceDirectoryAtomic(
        dir,
        [&](const std::string& temp) {
            for (const auto& [name, bytes] : files) writeFileAtomic(temp + "/" + name, bytes);
        },
        {}, isOurs, "no " + marker);
}

} // namespace lora
