#pragma once
// A safetensors file opened for reading tensor by tensor: the header is read and checked
// against the file's size first (a file that is not what it claims costs its header, not its
// size), then each tensor is read only when asked for, so a reader that takes them one at a
// time holds one tensor in memory however large the file.
#include "io/input_gate.h"
#include "io/safetensors_header.h"

#include <cstdint>
#include <string>

namespace lora {

class SafetensorsReader {
public:
    // `maxBytes` and `folder` are InputFile's: the size budget and the folder the file must lie in.
    explicit SafetensorsReader(const std::string& path,
                               std::uint64_t maxBytes = kMaxSafetensorsBytes,
                               const std::string& folder = {});

    const std::vector<TensorEntry>& entries() const { return m_header.entries; }
    const std::map<std::string, std::string>& metadata() const { return m_header.metadata; }
    std::uint64_t fileSize() const { return m_in.size(); }
    const std::string& path() const { return m_in.path(); }

    // entries()[k] widened to float32; its dtype is kept in the result.
    NamedTensor read(std::size_t k) const;
    // out: [bytes] <- entries()[k]'s raw bytes [offset, offset + n) as stored.
    void readRaw(std::size_t k, std::uint8_t* out, std::uint64_t offset, std::size_t n) const;

private:
    InputFile m_in;
    std::uint64_t m_dataStart = 0;
    SafetensorsHeader m_header;
};

} // namespace lora
