#pragma once
// A safetensors file's header, decoded and checked against the data that follows it before any
// tensor is read: what every reader of the format shares (whole files, module by module,
// checkpoints streamed tensor by tensor).
#include "util/error.h"

#include <nlohmann/json_fwd.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
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

// The reference implementation allows 100 MB; real LoRA headers are under a few MB (SDXL's
// 2,500 tensors take ~300 KB, kohya's tag counts a few MB), and 32 MiB keeps what a refused
// header costs (its text, its parse and its metadata, about three times its size) under 128 MB.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 32 << 20;

// The length in a file's first 8 bytes; InputError "<what>: not a safetensors file (…)" when it
// is over `maxHeaderBytes` or runs past the file's end.
std::uint64_t safetensorsHeaderLength(const std::uint8_t* first8, std::uint64_t fileSize,
                                      const std::string& what,
                                      std::uint64_t maxHeaderBytes = kMaxSafetensorsHeaderBytes);
// The header text [begin, end) checked as the reference reader checks it (starts with '{', no
// NUL byte, JSON within json_limits, an object): `tensor` is called with every entry but
// __metadata__, whose strings are returned.
std::map<std::string, std::string> parseSafetensorsHeaderJson(
    const std::uint8_t* begin, const std::uint8_t* end, const std::string& what,
    const std::function<void(const std::string& name, const nlohmann::json& entry)>& tensor);
// A JSON integer ≥ 0 (signed or unsigned in the parse) into `out`; false for anything else.
bool jsonUnsigned(const nlohmann::json& j, std::uint64_t& out);

// Every data byte belongs to exactly one tensor: no gaps, overlaps or leftovers. Sorts
// `entries` (anything with name, begin and end) by offset.
template <class Entry>
void checkTensorLayout(std::vector<Entry>& entries, std::uint64_t dataSize,
                       const std::string& what) {
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    std::uint64_t expected = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const Entry& e = entries[i];
        if (e.begin > expected && i == 0)
            throw InputError(what + ": first tensor " + quotedName(e.name) + " starts at byte " +
                             std::to_string(e.begin) + ", not 0");
        if (e.begin > expected)
            throw InputError(what + ": gap of " + std::to_string(e.begin - expected) +
                             " bytes before tensor " + quotedName(e.name));
        if (e.begin < expected)
            throw InputError(what + ": tensor " + quotedName(e.name) + " overlaps tensor " +
                             quotedName(entries[i - 1].name));
        expected = e.end;
    }
    if (expected > dataSize)
        throw InputError(what + ": data is truncated (tensors need " + std::to_string(expected) +
                         " bytes, file has " + std::to_string(dataSize) + ")");
    if (expected < dataSize)
        throw InputError(what + ": " + std::to_string(dataSize - expected) +
                         " trailing bytes after the last tensor");
}
// The header text [begin, end) for `dataSize` bytes of data after it; InputError naming the
// tensor and the fault (dtype, shape, offsets, gaps, overlaps, truncation).
SafetensorsHeader decodeSafetensorsHeader(const std::uint8_t* begin, const std::uint8_t* end,
                                          std::uint64_t dataSize, const std::string& what);

// out: [n / bytesPer(dtype)] <- the little-endian values in bytes[0, n).
void widenValues(float* out, TensorDType dtype, const std::uint8_t* bytes, std::size_t n);

} // namespace lora
