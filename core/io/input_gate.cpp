#include "io/input_gate.h"

#include "util/error.h"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lora {

std::vector<std::uint8_t> readFileBytes(const std::string& path, std::size_t maxBytes) {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; fstat on the descriptor, not the
    // path, so that what is checked is what is read.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw InputError("cannot open " + path + ": " + std::strerror(errno));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw InputError("cannot read " + path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw InputError("cannot read " + path + ": " + std::strerror(EISDIR));
    if (!S_ISREG(st.st_mode))
        throw InputError("cannot read " + path + ": not a regular file (a device, FIFO or socket)");
    if (static_cast<std::uint64_t>(st.st_size) > maxBytes)
        throw InputError("cannot read " + path + ": " + std::to_string(st.st_size) +
                         " bytes is more than the " + std::to_string(maxBytes) + " allowed");
    std::vector<std::uint8_t> bytes;
    bytes.reserve(static_cast<std::size_t>(st.st_size));
    std::uint8_t chunk[1 << 16];
    // Read to EOF rather than trusting the size, but never past the limit (a growing file).
    while (true) {
        const ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw InputError("cannot read " + path + ": " + std::strerror(errno));
        if (n == 0) break;
        if (bytes.size() + static_cast<std::size_t>(n) > maxBytes)
            throw InputError("cannot read " + path + ": it grew past the " +
                             std::to_string(maxBytes) + " bytes allowed");
        bytes.insert(bytes.end(), chunk, chunk + n);
    }
    return bytes;
}

} // namespace lora
