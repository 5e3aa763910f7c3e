#pragma once
// A safetensors file's header, decoded and checked against the data that follows it before any
// tensor is read: what every reader of the format shares (whole files, module by module,
// checkpoints streamed tensor by tensor).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lora {

// How a tensor is stored in a file; in memory it is always float32.
enum class TensorDType { F32, F16, BF16 };
const char* toString(TensorDType dtype);
std::size_t bytesPer(TensorDType dtype);

// "[2,3]", for messages.
std::string shapeString(const std::vector<std::int64_t>& shape);

struct NamedTensor {
    std::string name;
    std::vector<std::int64_t> shape;
    std::vector<float> data; // always float32 in memory; F16/BF16 files are widened
    // As read; written back so (narrowed with round-to-nearest-even), so a file keeps its size.
    TensorDType dtype = TensorDType::F32;
};

struct TensorEntry {
    std::string name;
    TensorDType dtype = TensorDType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0; // byte offsets from the start of the data

    std::size_t values() const;
};

struct SafetensorsHeader {
    std::vector<TensorEntry> entries; // sorted by offset, covering the data exactly
    std::map<std::string, std::string> metadata;
};

// The length in a file's first 8 bytes; InputError "<what>: not a safetensors file (…)" when it
// is over the header budget (32 MiB) or runs past the file's end.
std::uint64_t safetensorsHeaderLength(const std::uint8_t* first8, std::uint64_t fileSize,
                                      const std::string& what);
// The header text [begin, end) for `dataSize` bytes of data after it; InputError naming the
// tensor and the fault (dtype, shape, offsets, gaps, overlaps, truncation).
SafetensorsHeader decodeSafetensorsHeader(const std::uint8_t* begin, const std::uint8_t* end,
                                          std::uint64_t dataSize, const std::string& what);

// out: [n / bytesPer(dtype)] <- the little-endian values in bytes[0, n).
void widenValues(float* out, TensorDType dtype, const std::uint8_t* bytes, std::size_t n);

} // namespace lora
