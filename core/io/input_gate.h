#pragma once
// The one way core reads a file. Every reader goes through here, so that what the README
// promises for bad input holds everywhere: only regular files (checked on the opened
// descriptor, so a device, FIFO or socket is refused at once), a size budget per kind of
// file checked before anything is read, and, for folders (sessions, adapters), no way out of
// the folder through a symlink.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lora {

// Size budgets, by kind of file. A file over its budget is refused before it is read.
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;           // adapter_config.json, settings
inline constexpr std::size_t kMaxSessionJsonBytes = 16 << 20;     // session.json with its history
inline constexpr std::size_t kMaxMatrixTextBytes = 32 << 20;      // a matrix as text: 4 M values
inline constexpr std::size_t kMaxIdxBytes = 256 << 20;            // an MNIST IDX file, inflated
inline constexpr std::uint64_t kMaxSafetensorsBytes = 2ull << 30; // the largest real LoRA files

// A regular file opened for reading. The checks are made on the descriptor, so what was
// checked is what is read.
class InputFile {
public:
    // InputError if `path` cannot be opened, is not a regular file, is larger than maxBytes,
    // or — when `folder` is not empty — lies, once symlinks are resolved, outside `folder`.
    InputFile(const std::string& path, std::uint64_t maxBytes, const std::string& folder = {});
    ~InputFile();
    InputFile(const InputFile&) = delete;
    InputFile& operator=(const InputFile&) = delete;

    std::uint64_t size() const { return m_size; }
    const std::string& path() const { return m_path; }
    // The checked descriptor, for a copy that stays in the kernel (copy_file_range).
    int descriptor() const { return m_fd; }
    // out: [n] <- the file's bytes [offset, offset + n); InputError if the file is shorter
    // than it was when opened.
    void readAt(std::uint8_t* out, std::uint64_t offset, std::size_t n) const;
    // The whole file, read to its end but never past the budget (a file may grow).
    std::vector<std::uint8_t> readAll() const;

private:
    std::string m_path;
    std::uint64_t m_maxBytes;
    std::uint64_t m_size = 0;
    int m_fd = -1;
};

// InputFile(path, maxBytes, folder).readAll(): the messages are "cannot open <path>: <reason>"
// and "cannot read <path>: <reason>".
std::vector<std::uint8_t> readFileBytes(const std::string& path, std::uint64_t maxBytes = SIZE_MAX,
                                        const std::string& folder = {});

} // namespace lora
