#pragma once
// The safetensors format: 8-byte little-endian header length N, N bytes of JSON (padded
// with spaces to a multiple of 8), then raw little-endian tensor data. Offsets in the
// header are relative to the data start, sorted, contiguous and cover it exactly.
#include "io/input_gate.h"
#include "io/safetensors_header.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace lora {

struct SafetensorsFile {
    std::vector<NamedTensor> tensors; // in file (offset) order
    std::map<std::string, std::string> metadata;

    const NamedTensor* find(const std::string& name) const;
};

// Serialise in the given order, each tensor in its dtype. Metadata values must be strings.
std::vector<std::uint8_t> encodeSafetensors(const SafetensorsFile& file);
// Parse and validate; throws InputError("<what>: <problem>") on anything malformed.
SafetensorsFile decodeSafetensors(const std::vector<std::uint8_t>& bytes, const std::string& what);

struct TensorIndex {
    std::string name;
    std::vector<std::int64_t> shape;
};
// Called with every tensor's name and shape (in file order) before any data is read: throws
// InputError to refuse the file (a model over the budget), or says which tensors to read
// (an empty vector: all of them).
using HeaderCheck = std::function<std::vector<bool>(const std::vector<TensorIndex>&)>;

// Reads the header first and checks it against the file's size, then the data: a file that is
// not what it claims is refused at the cost of its header. `maxBytes` and `folder` are
// InputFile's (input_gate.h): the size budget, and the folder the file must lie in, if any.
SafetensorsFile readSafetensors(const std::string& path,
                                std::uint64_t maxBytes = kMaxSafetensorsBytes,
                                const std::string& folder = {}, const HeaderCheck& check = {});

// The reader keeps NaN/Inf values as they are (the format allows them); loaders of
// weights use these to refuse them, like PEFT's safe_merge.
bool allFinite(const NamedTensor& tensor);
// The first tensor (in file order) holding a NaN or an infinity, or nullptr.
const NamedTensor* firstNonFinite(const SafetensorsFile& file);
// Atomic: writes a temporary file in the same folder, then renames it over `path`.
void writeSafetensors(const std::string& path, const SafetensorsFile& file);

} // namespace lora
