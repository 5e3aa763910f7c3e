#include "io/safetensors.h"

#include "io/atomic_file.h"
#include "io/float16.h"
#include "io/safetensors_reader.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace lora {

const NamedTensor* SafetensorsFile::find(const std::string& name) const {
    for (const auto& t : tensors)
        if (t.name == name) return &t;
    return nullptr;
}

std::vector<std::uint8_t> encodeSafetensors(const SafetensorsFile& file) {
    const std::string fail = "cannot encode safetensors: tensor '";
    nlohmann::ordered_json header = nlohmann::ordered_json::object();
    if (!file.metadata.empty()) {
        auto& meta = header["__metadata__"] = nlohmann::ordered_json::object();
        for (const auto& [key, value] : file.metadata) meta[key] = value;
    }
    std::uint64_t offset = 0;
    for (const auto& t : file.tensors) {
        if (t.name == "__metadata__" || header.contains(t.name))
            throw InputError(fail + t.name + "' is reserved or repeated");
        std::uint64_t numel = 1;
        for (auto d : t.shape) {
            if (d < 0) throw InputError(fail + t.name + "' has a negative dimension");
            numel *= static_cast<std::uint64_t>(d);
        }
        if (numel != t.data.size())
            throw InputError(fail + t.name + "' has " + std::to_string(t.data.size()) +
                             " values but shape " + shapeString(t.shape) + " needs " +
                             std::to_string(numel));
        nlohmann::ordered_json entry = nlohmann::ordered_json::object();
        entry["dtype"] = toString(t.dtype);
        entry["shape"] = t.shape;
        const std::uint64_t bytes = bytesPer(t.dtype) * numel;
        entry["data_offsets"] = nlohmann::ordered_json::array({offset, offset + bytes});
        header[t.name] = std::move(entry);
        offset += bytes;
    }
    std::string text;
    try {
        text = header.dump();
    } catch (const nlohmann::json::exception&) {
        throw InputError("cannot encode safetensors: a name or metadata value is not UTF-8");
    }
    text.append((8 - text.size() % 8) % 8, ' '); // keeps the data 8-byte aligned

    std::vector<std::uint8_t> out;
    out.reserve(8 + text.size() + offset);
    for (int i = 0; i < 8; ++i) out.push_back(std::uint8_t(std::uint64_t(text.size()) >> (8 * i)));
    out.insert(out.end(), text.begin(), text.end());
    for (const auto& t : file.tensors) {
        for (float f : t.data) {
            std::uint32_t bits;
            std::memcpy(&bits, &f, sizeof bits);
            if (t.dtype == TensorDType::F16) bits = floatToHalf(f);
            if (t.dtype == TensorDType::BF16) bits = floatToBf16(f);
            for (std::size_t i = 0; i < bytesPer(t.dtype); ++i)
                out.push_back(std::uint8_t(bits >> (8 * i)));
        }
    }
    return out;
}

SafetensorsFile decodeSafetensors(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    if (bytes.size() < 8)
        throw InputError(what + ": " + std::to_string(bytes.size()) +
                         " bytes is too short for a safetensors file");
    const std::uint64_t headerSize = safetensorsHeaderLength(bytes.data(), bytes.size(), what);
    const std::uint8_t* data = bytes.data() + 8 + headerSize;
    SafetensorsHeader h =
        decodeSafetensorsHeader(bytes.data() + 8, data, bytes.size() - 8 - headerSize, what);
    SafetensorsFile file;
    file.metadata = std::move(h.metadata);
    for (const TensorEntry& e : h.entries) {
        std::vector<float> values(e.values());
        widenValues(values.data(), e.dtype, data + e.begin, e.end - e.begin);
        file.tensors.push_back({e.name, e.shape, std::move(values), e.dtype});
    }
    return file;
}

SafetensorsFile readSafetensors(const std::string& path, std::uint64_t maxBytes,
                                const std::string& folder, const HeaderCheck& check) {
    const SafetensorsReader reader(path, maxBytes, folder);
    std::vector<bool> wanted;
    if (check) {
        std::vector<TensorIndex> index;
        for (const TensorEntry& e : reader.entries()) index.push_back({e.name, e.shape});
        wanted = check(index);
    }
    SafetensorsFile file;
    file.metadata = reader.metadata();
    for (std::size_t k = 0; k < reader.entries().size(); ++k)
        if (k >= wanted.size() || wanted[k]) file.tensors.push_back(reader.read(k));
    return file;
}

bool allFinite(const NamedTensor& tensor) {
    return std::all_of(tensor.data.begin(), tensor.data.end(),
                       [](float v) { return std::isfinite(v); });
}

const NamedTensor* firstNonFinite(const SafetensorsFile& file) {
    for (const auto& t : file.tensors)
        if (!allFinite(t)) return &t;
    return nullptr;
}

void writeSafetensors(const std::string& path, const SafetensorsFile& file) {
    writeFileAtomic(path, encodeSafetensors(file));
}

} // namespace lora
