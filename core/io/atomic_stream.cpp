#include "io/atomic_stream.h"

#include "io/output_guard.h"
#include "util/error.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <unistd.h>

namespace lora {

namespace {

// Large enough that each write(2) moves many pages at once, small beside any tensor budget.
constexpr std::size_t kBufferBytes = 16 << 20;

std::string parentOf(const std::string& path) {
    return std::filesystem::path(path).parent_path().string();
}

} // namespace

AtomicFileStream::AtomicFileStream(const std::string& path) : m_path(path) {
    checkFileOutput(path);
    removeStaleTemps(parentOf(path));
    m_temp = tempPathFor(path);
    m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (m_fd < 0) throw InputError("cannot write " + shownPath(path) + ": " + std::strerror(errno));
    m_buffer.resize(kBufferBytes);
}

AtomicFileStream::~AtomicFileStream() {
    if (m_fd >= 0) ::close(m_fd);
    if (!m_temp.empty()) ::unlink(m_temp.c_str());
}

void AtomicFileStream::flush() {
    const std::uint8_t* data = m_buffer.data();
    std::size_t left = m_used;
    while (left > 0) {
        const ssize_t n = ::write(m_fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            throw InputError("cannot write " + shownPath(m_path) + ": " + std::strerror(errno));
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    // Start writing the block back now, without waiting: commit()'s fsync then waits for the
    // last blocks only, instead of for the whole file at the end.
    if (m_used > 0)
        ::sync_file_range(m_fd, static_cast<off_t>(m_written - m_used), static_cast<off_t>(m_used),
                          SYNC_FILE_RANGE_WRITE);
    m_used = 0;
}

void AtomicFileStream::write(const std::uint8_t* data, std::size_t n) {
    while (n > 0) {
        const std::size_t take = std::min(n, m_buffer.size() - m_used);
        std::memcpy(m_buffer.data() + m_used, data, take);
        m_used += take;
        m_written += take;
        data += take;
        n -= take;
        if (m_used == m_buffer.size()) flush();
    }
}

void AtomicFileStream::copy(const ReadAt& read, std::uint64_t offset, std::uint64_t n) {
    while (n > 0) {
        const std::size_t take =
            static_cast<std::size_t>(std::min<std::uint64_t>(n, m_buffer.size() - m_used));
        read(m_buffer.data() + m_used, offset, take);
        m_used += take;
        m_written += take;
        offset += take;
        n -= take;
        if (m_used == m_buffer.size()) flush();
    }
}

void AtomicFileStream::copy(int fd, const ReadAt& read, std::uint64_t offset, std::uint64_t n) {
    flush();
    while (n > 0) {
        loff_t from = static_cast<loff_t>(offset);
        const ssize_t got =
            ::copy_file_range(fd, &from, m_fd, nullptr,
                              static_cast<std::size_t>(std::min<std::uint64_t>(n, 1u << 30)), 0);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break; // not supported here (EXDEV, EINVAL, ENOSYS …) or short: buffered
        ::sync_file_range(m_fd, static_cast<off_t>(m_written), got, SYNC_FILE_RANGE_WRITE);
        m_written += static_cast<std::uint64_t>(got);
        offset += static_cast<std::uint64_t>(got);
        n -= static_cast<std::uint64_t>(got);
    }
    copy(read, offset, n);
}

void AtomicFileStream::commit() {
    flush();
    const int synced = ::fsync(m_fd) == 0 ? 0 : errno;
    const int closed = ::close(m_fd) == 0 ? 0 : errno;
    m_fd = -1;
    if (synced || closed)
        throw InputError("cannot write " + shownPath(m_path) + ": " +
                         std::strerror(synced ? synced : closed));
    checkFileOutput(m_path); // again: a link or device may have appeared meanwhile
    if (::rename(m_temp.c_str(), m_path.c_str()) != 0)
        throw InputError("cannot write " + shownPath(m_path) + ": " + std::strerror(errno));
    m_temp.clear();
    const std::string dir = parentOf(m_path);
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

} // namespace lora
