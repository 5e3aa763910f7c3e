#include "io/safetensors_reader.h"

#include "util/error.h"

#include <algorithm>

namespace lora {

SafetensorsReader::SafetensorsReader(const std::string& path, std::uint64_t maxBytes,
                                     const std::string& folder)
    : m_in(path, maxBytes, folder) {
    if (m_in.size() < 8)
        throw InputError(path + ": " + std::to_string(m_in.size()) +
                         " bytes is too short for a safetensors file");
    std::uint8_t first8[8];
    m_in.readAt(first8, 0, 8);
    const std::uint64_t headerSize = safetensorsHeaderLength(first8, m_in.size(), path);
    std::vector<std::uint8_t> text(headerSize);
    m_in.readAt(text.data(), 8, text.size());
    m_dataStart = 8 + headerSize;
    m_header = decodeSafetensorsHeader(text.data(), text.data() + text.size(),
                                       m_in.size() - m_dataStart, path);
}

void SafetensorsReader::readRaw(std::size_t k, std::uint8_t* out, std::uint64_t offset,
                                std::size_t n) const {
    const TensorEntry& e = m_header.entries.at(k);
    if (offset > e.end - e.begin || n > e.end - e.begin - offset)
        throw InputError(path() + ": read past the end of tensor " + quotedName(e.name));
    m_in.readAt(out, m_dataStart + e.begin + offset, n);
}

NamedTensor SafetensorsReader::read(std::size_t k) const {
    const TensorEntry& e = m_header.entries.at(k);
    NamedTensor t{e.name, e.shape, std::vector<float>(e.values()), e.dtype};
    // In chunks, so that widening F16/BF16 needs a small buffer rather than the tensor twice.
    constexpr std::size_t kChunkValues = 1 << 18;
    const std::size_t size = bytesPer(e.dtype);
    std::vector<std::uint8_t> chunk;
    for (std::size_t at = 0; at < t.data.size(); at += kChunkValues) {
        const std::size_t n = std::min(kChunkValues, t.data.size() - at);
        chunk.resize(n * size);
        readRaw(k, chunk.data(), at * size, chunk.size());
        widenValues(t.data.data() + at, e.dtype, chunk.data(), chunk.size());
    }
    return t;
}

} // namespace lora
