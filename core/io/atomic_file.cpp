#include "io/atomic_file.h"

#include "util/error.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lora {

namespace {

std::string tempPathFor(const std::string& path) {
    // pid + counter keeps concurrent writers (threads or processes) off each other's temp file.
    static std::atomic<unsigned> counter{0};
    return path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

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

// Makes the rename itself durable; failure here loses nothing already written, so it is
// not reported.
void syncParentDirectory(const std::string& path) {
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

} // namespace

void writeFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    const std::string temp = tempPathFor(path);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) throw InputError("cannot write " + path + ": " + std::strerror(errno));

    bool ok = writeAll(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
    int error = ok ? 0 : errno;
    if (::close(fd) != 0 && ok) {
        ok = false;
        error = errno;
    }
    if (ok && ::rename(temp.c_str(), path.c_str()) != 0) {
        ok = false;
        error = errno;
    }
    if (!ok) {
        ::unlink(temp.c_str());
        throw InputError("cannot write " + path + ": " + std::strerror(error));
    }
    syncParentDirectory(path);
}

namespace {

namespace fs = std::filesystem;

// Hard-links every entry of `from` that `to` lacks into `to`; false if one is not a regular
// file or cannot be linked (then the swap would lose it).
bool linkOthers(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(from, ec)) {
        const fs::path target = to / entry.path().filename();
        if (fs::exists(target)) continue;
        if (!entry.is_regular_file() || ::link(entry.path().c_str(), target.c_str()) != 0)
            return false;
    }
    return !ec;
}

} // namespace

void writeDirectoryAtomic(
    const std::string& dir,
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& files) {
    const fs::path target = fs::path(dir).lexically_normal();
    std::error_code ec;
    if (fs::exists(target, ec) && !fs::is_directory(target, ec))
        throw InputError("cannot write " + dir + ": it exists and is not a folder");
    if (target.has_parent_path()) {
        fs::create_directories(target.parent_path(), ec);
        if (ec)
            throw InputError("cannot create " + target.parent_path().string() + ": " +
                             ec.message());
    }
    const std::string temp = tempPathFor(target.string());
    if (::mkdir(temp.c_str(), 0777) != 0)
        throw InputError("cannot write " + dir + ": " + std::strerror(errno));
    try {
        for (const auto& [name, bytes] : files) writeFileAtomic(temp + "/" + name, bytes);
    } catch (...) {
        fs::remove_all(temp, ec);
        throw;
    }
    syncParentDirectory(temp + "/x");
    if (::rename(temp.c_str(), target.c_str()) == 0) { // there was no folder yet
        syncParentDirectory(target.string());
        return;
    }
    if (linkOthers(target, temp) &&
        ::renameat2(AT_FDCWD, temp.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
        syncParentDirectory(target.string());
        fs::remove_all(temp, ec); // now the old folder
        return;
    }
    // No exchange here (old kernel, some network file systems, or a sub-folder in the way):
    // one file at a time, each still atomic.
    fs::remove_all(temp, ec);
    for (const auto& [name, bytes] : files) writeFileAtomic((target / name).string(), bytes);
}

void writeFileAtomic(const std::string& path, const std::string& text) {
    writeFileAtomic(path, std::vector<std::uint8_t>(text.begin(), text.end()));
}

} // namespace lora
