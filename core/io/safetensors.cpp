#include "io/safetensors.h"

#include "io/atomic_file.h"
#include "io/float16.h"
#include "io/input_gate.h"
#include "io/json_limits.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace lora {

namespace {

using nlohmann::json;

// The reference implementation allows 100 MB; real headers are under a few MB (SDXL's 2,500
// tensors take ~300 KB, kohya's tag counts a few MB), and 32 MiB keeps what a refused header
// costs (its text, its parse and its metadata, about three times its size) under 128 MB.
constexpr std::uint64_t kMaxHeaderBytes = 32 << 20;

using DType = TensorDType;

struct Entry {
    std::string name;
    DType dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0;
    std::uint64_t end = 0;
};

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

std::uint32_t loadU32(const std::uint8_t* p) {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}

float fromBits(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// A positive JSON integer; rejects negatives, floats and everything else.
bool asUnsigned(const json& j, std::uint64_t& out) {
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
        if (!asUnsigned(dim, n) || n > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
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
        !asUnsigned((*offsets)[0], e.begin) || !asUnsigned((*offsets)[1], e.end))
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

std::size_t tensorValues(const Entry& e) {
    return static_cast<std::size_t>((e.end - e.begin) / (e.dtype == DType::F32 ? 4 : 2));
}

// out: [bytes / size] <- the little-endian values of `e`'s dtype in bytes[0, n).
void convert(float* out, const Entry& e, const std::uint8_t* bytes, std::size_t n) {
    const std::size_t size = e.dtype == DType::F32 ? 4 : 2;
    const std::uint8_t* p = bytes;
    for (std::size_t i = 0; i < n / size; ++i, p += size) {
        if (e.dtype == DType::F32)
            out[i] = fromBits(loadU32(p));
        else if (e.dtype == DType::F16)
            out[i] = halfToFloat(std::uint16_t(p[0] | p[1] << 8));
        else
            out[i] = bf16ToFloat(std::uint16_t(p[0] | p[1] << 8));
    }
}

// Every data byte belongs to exactly one tensor: no gaps, overlaps or leftovers. Sorts
// `entries` by offset.
void checkLayout(std::vector<Entry>& entries, std::uint64_t dataSize, const std::string& what) {
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

} // namespace

const char* toString(TensorDType dtype) {
    return dtype == DType::F32 ? "F32" : dtype == DType::F16 ? "F16" : "BF16";
}

std::size_t bytesPer(TensorDType dtype) {
    return dtype == DType::F32 ? 4 : 2;
}

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
            if (t.dtype == DType::F16) bits = floatToHalf(f);
            if (t.dtype == DType::BF16) bits = floatToBf16(f);
            for (std::size_t i = 0; i < bytesPer(t.dtype); ++i)
                out.push_back(std::uint8_t(bits >> (8 * i)));
        }
    }
    return out;
}

namespace {

// The header's contents, checked against the data that follows it.
struct Header {
    std::vector<Entry> entries; // sorted by offset
    std::map<std::string, std::string> metadata;
};

// The length in the first 8 bytes. Its value is not echoed in messages: for a file that is
// not safetensors, those are the first 8 bytes of whatever it is.
std::uint64_t headerLength(const std::uint8_t* first8, std::uint64_t fileSize,
                           const std::string& what) {
    std::uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= std::uint64_t(first8[i]) << (8 * i);
    if (n > kMaxHeaderBytes)
        throw InputError(what + ": not a safetensors file (its header length is over the " +
                         std::to_string(kMaxHeaderBytes >> 20) + " MiB limit)");
    if (n > fileSize - 8)
        throw InputError(what + ": not a safetensors file (its header length runs past the end " +
                         "of the " + std::to_string(fileSize) + "-byte file)");
    return n;
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

Header decodeHeader(const std::uint8_t* begin, const std::uint8_t* end, std::uint64_t dataSize,
                    const std::string& what) {
    checkHeaderBytes(begin, end, what);
    const json header = parseHeader(begin, end, what);
    if (!header.is_object()) throw InputError(what + ": header is not a JSON object");
    Header h;
    for (const auto& [key, value] : header.items()) {
        if (key != "__metadata__") {
            h.entries.push_back(parseEntry(key, value, what));
            continue;
        }
        if (!value.is_object()) throw InputError(what + ": __metadata__ is not an object");
        for (const auto& [mkey, mvalue] : value.items()) {
            if (!mvalue.is_string())
                throw InputError(what + ": __metadata__ value for " + quotedName(mkey) +
                                 " is not a string");
            h.metadata[mkey] = mvalue.get<std::string>();
        }
    }
    checkLayout(h.entries, dataSize, what);
    return h;
}

} // namespace

SafetensorsFile decodeSafetensors(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    if (bytes.size() < 8)
        throw InputError(what + ": " + std::to_string(bytes.size()) +
                         " bytes is too short for a safetensors file");
    const std::uint64_t headerSize = headerLength(bytes.data(), bytes.size(), what);
    const std::uint8_t* data = bytes.data() + 8 + headerSize;
    Header h = decodeHeader(bytes.data() + 8, data, bytes.size() - 8 - headerSize, what);
    SafetensorsFile file;
    file.metadata = std::move(h.metadata);
    for (const Entry& e : h.entries) {
        std::vector<float> values(tensorValues(e));
        convert(values.data(), e, data + e.begin, e.end - e.begin);
        file.tensors.push_back({e.name, e.shape, std::move(values), e.dtype});
    }
    return file;
}

SafetensorsFile readSafetensors(const std::string& path, std::uint64_t maxBytes,
                                const std::string& folder, const HeaderCheck& check) {
    // The header is read and checked against the file's size before any tensor data, so a
    // file that is not what it claims costs its header, not its size.
    const InputFile in(path, maxBytes, folder);
    if (in.size() < 8)
        throw InputError(path + ": " + std::to_string(in.size()) +
                         " bytes is too short for a safetensors file");
    std::uint8_t first8[8];
    in.readAt(first8, 0, 8);
    const std::uint64_t headerSize = headerLength(first8, in.size(), path);
    std::vector<std::uint8_t> text(headerSize);
    in.readAt(text.data(), 8, text.size());
    Header h =
        decodeHeader(text.data(), text.data() + text.size(), in.size() - 8 - headerSize, path);
    text = {};
    std::vector<bool> wanted;
    if (check) {
        std::vector<TensorIndex> index;
        for (const Entry& e : h.entries) index.push_back({e.name, e.shape});
        wanted = check(index);
    }
    SafetensorsFile file;
    file.metadata = std::move(h.metadata);
    std::vector<std::uint8_t> chunk;
    for (std::size_t k = 0; k < h.entries.size(); ++k) {
        const Entry& e = h.entries[k];
        if (k < wanted.size() && !wanted[k]) continue;
        std::vector<float> values(tensorValues(e));
        const std::size_t size = e.dtype == DType::F32 ? 4 : 2;
        constexpr std::size_t kChunkValues = 1 << 18;
        for (std::size_t at = 0; at < values.size(); at += kChunkValues) {
            const std::size_t n = std::min(kChunkValues, values.size() - at);
            chunk.resize(n * size);
            in.readAt(chunk.data(), 8 + headerSize + e.begin + at * size, chunk.size());
            convert(values.data() + at, e, chunk.data(), chunk.size());
        }
        file.tensors.push_back({e.name, e.shape, std::move(values), e.dtype});
    }
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
