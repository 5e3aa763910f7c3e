#include "io/checkpoint_reader.h"

#include "io/safetensors_header.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace lora {

namespace {

using nlohmann::json;

CheckpointTensor parseTensor(const std::string& name, const json& j, const std::string& what) {
    const std::string tensor = what + ": tensor " + quotedName(name);
    if (!j.is_object()) throw InputError(tensor + " is not an object");
    CheckpointTensor t;
    t.name = name;
    const auto dtype = j.find("dtype");
    if (dtype == j.end() || !dtype->is_string()) throw InputError(tensor + " has no dtype string");
    t.dtype = dtype->get<std::string>();
    const std::size_t size = checkpointDTypeSize(t.dtype);
    if (size == 0) throw InputError(tensor + " has dtype " + quotedName(t.dtype) + " unknown");
    const auto shape = j.find("shape");
    if (shape == j.end() || !shape->is_array()) throw InputError(tensor + " has no shape array");
    // Saturates at 2⁸⁰ values, more than any file holds, so the size check below refuses it.
    const unsigned __int128 cap = static_cast<unsigned __int128>(1) << 80;
    unsigned __int128 numel = 1;
    for (const auto& dim : *shape) {
        std::uint64_t n = 0;
        if (!jsonUnsigned(dim, n) || n > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            throw InputError(tensor + " has a shape entry that is not a non-negative integer");
        t.shape.push_back(static_cast<std::int64_t>(n));
        numel = n == 0 ? 0 : numel > cap / n ? cap : numel * n;
    }
    const auto offsets = j.find("data_offsets");
    if (offsets == j.end() || !offsets->is_array() || offsets->size() != 2 ||
        !jsonUnsigned((*offsets)[0], t.begin) || !jsonUnsigned((*offsets)[1], t.end) ||
        t.end < t.begin)
        throw InputError(tensor + " has malformed data_offsets (expected [begin, end])");
    if (static_cast<unsigned __int128>(t.end - t.begin) != numel * size)
        throw InputError(tensor + " has " + std::to_string(t.end - t.begin) +
                         " bytes of data but its shape and dtype " + t.dtype +
                         " need another size");
    return t;
}

} // namespace

std::uint64_t CheckpointTensor::values() const {
    const std::size_t size = checkpointDTypeSize(dtype);
    return size ? bytes() / size : 0;
}

std::size_t checkpointDTypeSize(const std::string& dtype) {
    static const std::map<std::string, std::size_t> sizes = {
        {"F64", 8},  {"F32", 4},     {"F16", 2},     {"BF16", 2},   {"I64", 8}, {"U64", 8},
        {"I32", 4},  {"U32", 4},     {"I16", 2},     {"U16", 2},    {"I8", 1},  {"U8", 1},
        {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}, {"F8_E8M0", 1}};
    const auto it = sizes.find(dtype);
    return it == sizes.end() ? 0 : it->second;
}

CheckpointReader::CheckpointReader(const std::string& path, const std::string& folder)
    : m_in(path, kMaxCheckpointShardBytes, folder) {
    if (m_in.size() < 8)
        throw InputError(path + ": " + std::to_string(m_in.size()) +
                         " bytes is too short for a safetensors file");
    std::uint8_t first8[8];
    m_in.readAt(first8, 0, 8);
    const std::uint64_t n =
        safetensorsHeaderLength(first8, m_in.size(), path, kMaxCheckpointHeaderBytes);
    m_dataStart = 8 + n;
    m_headerBytes.resize(static_cast<std::size_t>(m_dataStart));
    std::copy(first8, first8 + 8, m_headerBytes.begin());
    m_in.readAt(m_headerBytes.data() + 8, 8, static_cast<std::size_t>(n));
    m_metadata = parseSafetensorsHeaderJson(m_headerBytes.data() + 8,
                                            m_headerBytes.data() + m_headerBytes.size(), path,
                                            [&](const std::string& name, const json& j) {
                                                m_tensors.push_back(parseTensor(name, j, path));
                                            });
    checkTensorLayout(m_tensors, m_in.size() - m_dataStart, path);
    for (std::size_t i = 0; i < m_tensors.size(); ++i) m_byName[m_tensors[i].name] = i;
}

const CheckpointTensor* CheckpointReader::find(const std::string& name) const {
    const auto it = m_byName.find(name);
    return it == m_byName.end() ? nullptr : &m_tensors[it->second];
}

} // namespace lora
