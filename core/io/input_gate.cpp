#include "io/input_gate.h"

#include "util/error.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lora {

namespace {

// The real path of a resolved name, or "" if it cannot be resolved.
std::string realPath(const std::string& path) {
    char buffer[PATH_MAX];
    return ::realpath(path.c_str(), buffer) ? std::string(buffer) : std::string();
}

// The path the kernel opened for `fd`; the path's own resolution where /proc is missing.
std::string openedPath(int fd, const std::string& path) {
    char buffer[PATH_MAX];
    const std::string link = "/proc/self/fd/" + std::to_string(fd);
    const ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer - 1);
    if (n <= 0) return realPath(path);
    return std::string(buffer, static_cast<std::size_t>(n));
}

bool isInside(const std::string& real, const std::string& realFolder) {
    if (real.empty() || realFolder.empty()) return false;
    if (realFolder == "/") return true;
    return real.size() > realFolder.size() && real.compare(0, realFolder.size(), realFolder) == 0 &&
           real[realFolder.size()] == '/';
}

std::string outsideMessage(const std::string& path, const std::string& folder) {
    return "cannot read " + path + ": it resolves to a place outside " + folder;
}

} // namespace

InputFile::InputFile(const std::string& path, std::uint64_t maxBytes, const std::string& folder)
    : m_path(path), m_maxBytes(maxBytes) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    m_fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (m_fd < 0) throw InputError("cannot open " + path + ": " + std::strerror(errno));
    try {
        struct stat st {};
        if (::fstat(m_fd, &st) != 0)
            throw InputError("cannot read " + path + ": " + std::strerror(errno));
        if (S_ISDIR(st.st_mode))
            throw InputError("cannot read " + path + ": " + std::strerror(EISDIR));
        if (!S_ISREG(st.st_mode))
            throw InputError("cannot read " + path +
                             ": not a regular file (a device, FIFO or socket)");
        if (!folder.empty() && !isInside(openedPath(m_fd, path), realPath(folder)))
            throw InputError(outsideMessage(path, folder));
        m_size = static_cast<std::uint64_t>(st.st_size);
        if (m_size > maxBytes)
            throw InputError("cannot read " + path + ": " + std::to_string(m_size) +
                             " bytes is more than the " + std::to_string(maxBytes) + " allowed");
    } catch (...) {
        ::close(m_fd);
        throw;
    }
}

InputFile::~InputFile() {
    ::close(m_fd);
}

void InputFile::readAt(std::uint8_t* out, std::uint64_t offset, std::size_t n) const {
    while (n > 0) {
        const ssize_t got = ::pread(m_fd, out, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw InputError("cannot read " + m_path + ": " + std::strerror(errno));
        if (got == 0) throw InputError("cannot read " + m_path + ": it became shorter while read");
        out += got;
        offset += static_cast<std::uint64_t>(got);
        n -= static_cast<std::size_t>(got);
    }
}

std::vector<std::uint8_t> InputFile::readAll() const {
    std::vector<std::uint8_t> bytes;
    bytes.reserve(static_cast<std::size_t>(m_size));
    std::uint8_t chunk[1 << 16];
    // To the end rather than to the size seen when opened, but never past the budget.
    for (std::uint64_t offset = 0;;) {
        const ssize_t n = ::pread(m_fd, chunk, sizeof chunk, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw InputError("cannot read " + m_path + ": " + std::strerror(errno));
        if (n == 0) break;
        if (bytes.size() + static_cast<std::size_t>(n) > m_maxBytes)
            throw InputError("cannot read " + m_path + ": it grew past the " +
                             std::to_string(m_maxBytes) + " bytes allowed");
        bytes.insert(bytes.end(), chunk, chunk + n);
        offset += static_cast<std::uint64_t>(n);
    }
    return bytes;
}

std::vector<std::uint8_t> readFileBytes(const std::string& path, std::uint64_t maxBytes,
                                        const std::string& folder) {
    return InputFile(path, maxBytes, folder).readAll();
}

} // namespace lora
