#include "io/safetensors_header.h"

#include "io/float16.h"
#include "io/json_limits.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>

namespace lora {

namespace {

using nlohmann::json;

using DType = TensorDType;
using Entry = TensorEntry;

std::uint32_t loadU32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

float fromBits(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// The DOM is built only after checkJsonText has passed the text: duplicate keys, depth and
// size are refused in one linear pass first (json_limits.h).
json parseHeader(const std::uint8_t* begin, const std::uint8_t* end, const std::string& what) {
    checkJsonText(begin, end, JsonLimits{}, what, "header");
    try {
        return json::parse(begin, end);
    } catch (const json::exception&) {
        throw InputError(what + ": header is not valid JSON");
    }
}

Entry parseEntry(const std::string& name, const json& j, const std::string& what) {
    const std::string tensor = what + ": tensor " + quotedName(name);
    if (!j.is_object()) throw InputError(tensor + " is not an object");
    Entry e;
    e.name = name;

    const auto dtype = j.find("dtype");
    if (dtype == j.end() || !dtype->is_string()) throw InputError(tensor + " has no dtype string");
    const std::string& d = dtype->get_ref<const std::string&>();
    if (d == "F32")
        e.dtype = DType::F32;
    else if (d == "F16")
        e.dtype = DType::F16;
    else if (d == "BF16")
        e.dtype = DType::BF16;
    else
        throw InputError(tensor + " has dtype " + quotedName(d) +
                         "; only F32, F16 and BF16 are supported");

    const auto shape = j.find("shape");
    if (shape == j.end() || !shape->is_array()) throw InputError(tensor + " has no shape array");
    std::uint64_t numel = 1;
    bool overflow = false;
    bool empty = false; // a zero dimension empties the tensor whatever the others are
    for (const auto& dim : *shape) {
        std::uint64_t n = 0;
        if (!jsonUnsigned(dim, n) || n > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
            throw InputError(tensor + " has a shape entry that is not a non-negative integer");
        e.shape.push_back(static_cast<std::int64_t>(n));
        if (n == 0)
            empty = true;
        else if (numel > std::numeric_limits<std::uint64_t>::max() / n)
            overflow = true;
        else
            numel *= n;
    }
    if (empty) {
        numel = 0;
        overflow = false;
    }
    const std::uint64_t size = e.dtype == DType::F32 ? 4 : 2;
    if (overflow || numel > std::numeric_limits<std::uint64_t>::max() / size)
        throw InputError(tensor + " has shape " + shapeString(e.shape) + " with too many elements");

    const auto offsets = j.find("data_offsets");
    if (offsets == j.end() || !offsets->is_array() || offsets->size() != 2 ||
        !jsonUnsigned((*offsets)[0], e.begin) || !jsonUnsigned((*offsets)[1], e.end))
        throw InputError(tensor + " has malformed data_offsets (expected [begin, end])");
    if (e.end < e.begin)
        throw InputError(tensor + " has data_offsets [" + std::to_string(e.begin) + "," +
                         std::to_string(e.end) + "] with end before begin");
    if (e.end - e.begin != numel * size)
        throw InputError(tensor + " has " + std::to_string(e.end - e.begin) +
                         " bytes of data but shape " + shapeString(e.shape) + " of " + d +
                         " needs " + std::to_string(numel * size));
    return e;
}

// The reference reader's rules: the header is UTF-8 JSON that starts with '{' (no byte-order
// mark), holds no NUL byte (which some parsers take for its end), and may be followed only by
// whitespace padding.
void checkHeaderBytes(const std::uint8_t* begin, const std::uint8_t* end, const std::string& what) {
    if (begin == end || *begin != '{')
        throw InputError(what + ": header does not start with '{' (not a safetensors file)");
    if (std::find(begin, end, std::uint8_t(0)) != end)
        throw InputError(what + ": header holds a NUL byte");
}

} // namespace

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

const char* toString(TensorDType dtype) {
    return dtype == DType::F32 ? "F32" : dtype == DType::F16 ? "F16" : "BF16";
}

std::size_t bytesPer(TensorDType dtype) {
    return dtype == DType::F32 ? 4 : 2;
}

std::size_t TensorEntry::values() const {
    return static_cast<std::size_t>((end - begin) / bytesPer(dtype));
}

void widenValues(float* out, TensorDType dtype, const std::uint8_t* bytes, std::size_t n) {
    const std::size_t size = bytesPer(dtype);
    const std::uint8_t* p = bytes;
    for (std::size_t i = 0; i < n / size; ++i, p += size) {
        if (dtype == DType::F32)
            out[i] = fromBits(loadU32(p));
        else if (dtype == DType::F16)
            out[i] = halfToFloat(std::uint16_t(p[0] | p[1] << 8));
        else
            out[i] = bf16ToFloat(std::uint16_t(p[0] | p[1] << 8));
    }
}

// The length in the first 8 bytes. Its value is not echoed in messages: for a file that is
// not safetensors, those are the first 8 bytes of whatever it is.
std::uint64_t safetensorsHeaderLength(const std::uint8_t* first8, std::uint64_t fileSize,
                                      const std::string& what, std::uint64_t maxHeaderBytes) {
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t(first8[i]) << (8 * i);
    if (n > maxHeaderBytes)
        throw InputError(what + ": not a safetensors file (its header length is over the " +
                         std::to_string(maxHeaderBytes >> 20) + " MiB limit)");
    if (n > fileSize - 8)
        throw InputError(what + ": not a safetensors file (its header length runs past the end " +
                         "of the " + std::to_string(fileSize) + "-byte file)");
    return n;
}

bool jsonUnsigned(const json& j, std::uint64_t& out) {
    if (j.is_number_unsigned()) {
        out = j.get<std::uint64_t>();
        return true;
    }
    if (j.is_number_integer() && j.get<std::int64_t>() >= 0) {
        out = static_cast<std::uint64_t>(j.get<std::int64_t>());
        return true;
    }
    return false;
}

std::map<std::string, std::string>
parseSafetensorsHeaderJson(const std::uint8_t* begin, const std::uint8_t* end,
                           const std::string& what,
                           const std::function<void(const std::string&, const json&)>& tensor) {
    checkHeaderBytes(begin, end, what);
    const json header = parseHeader(begin, end, what);
    if (!header.is_object()) throw InputError(what + ": header is not a JSON object");
    std::map<std::string, std::string> metadata;
    for (const auto& [key, value] : header.items()) {
        if (key != "__metadata__") {
            tensor(key, value);
            continue;
        }
        if (!value.is_object()) throw InputError(what + ": __metadata__ is not an object");
        for (const auto& [mkey, mvalue] : value.items()) {
            if (!mvalue.is_string())
                throw InputError(what + ": __metadata__ value for " + quotedName(mkey) +
                                 " is not a string");
            metadata[mkey] = mvalue.get<std::string>();
        }
    }
    return metadata;
}

SafetensorsHeader decodeSafetensorsHeader(const std::uint8_t* begin, const std::uint8_t* end,
                                          std::uint64_t dataSize, const std::string& what) {
    SafetensorsHeader h;
    h.metadata = parseSafetensorsHeaderJson(begin, end, what, [&](const auto& name, const json& j) {
        h.entries.push_back(parseEntry(name, j, what));
    });
    checkTensorLayout(h.entries, dataSize, what);
    return h;
}

} // namespace lora
