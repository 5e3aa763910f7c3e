#pragma once
// writeFileAtomic for a file too large to hold in memory: the bytes are streamed into a temp
// file beside `path` through one large buffer (ranges of another file copied in the kernel),
// each block handed to writeback as soon as it is written, and commit() makes the file durable
// and renames it over `path`. Until then `path` is untouched; a stream dropped without commit() (an
// exception on the way) removes its temp file.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lora {

class AtomicFileStream {
public:
    // InputError unless `path` is absent or a regular file (io/output_guard.h).
    explicit AtomicFileStream(const std::string& path);
    ~AtomicFileStream();
    AtomicFileStream(const AtomicFileStream&) = delete;
    AtomicFileStream& operator=(const AtomicFileStream&) = delete;

    void write(const std::uint8_t* data, std::size_t n);
    // `n` bytes that `read(out, offset, count)` delivers from `offset` on, read straight into
    // the buffer: a byte-identical copy of a range of another file without a second copy.
    using ReadAt = std::function<void(std::uint8_t* out, std::uint64_t offset, std::size_t n)>;
    void copy(const ReadAt& read, std::uint64_t offset, std::uint64_t n);
    // The same from an open descriptor (an InputFile's), kept in the kernel with
    // copy_file_range where the file systems allow it; `read` where they do not.
    void copy(int fd, const ReadAt& read, std::uint64_t offset, std::uint64_t n);
    std::uint64_t written() const { return m_written; }
    // Flush, fsync, then rename over `path` (checked again just before).
    void commit();

private:
    void flush();

    std::string m_path, m_temp;
    int m_fd = -1;
    std::vector<std::uint8_t> m_buffer;
    std::size_t m_used = 0;
    std::uint64_t m_written = 0;
};

} // namespace lora
