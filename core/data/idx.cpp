#include "data/idx.h"

#include "io/input_gate.h"
#include "util/error.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <limits>

namespace lora {
namespace {

constexpr std::uint32_t kImagesMagic = 0x00000803; // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801; // unsigned bytes, 1 dimension

std::uint32_t readBigEndian(const std::vector<std::uint8_t>& b, std::size_t at) {
    return std::uint32_t(b[at]) << 24 | std::uint32_t(b[at + 1]) << 16 |
           std::uint32_t(b[at + 2]) << 8 | std::uint32_t(b[at + 3]);
}

void appendBigEndian(std::vector<std::uint8_t>& b, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(std::uint8_t(v >> shift));
}

std::string hex32(std::uint32_t v) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(v));
    return text;
}

// Checks magic and dimension count; returns the header size in bytes.
std::size_t checkHeader(const std::vector<std::uint8_t>& data, std::uint32_t magic,
                        const char* kind, const std::string& what) {
    const std::uint32_t dims = magic & 0xff;
    const std::size_t headerSize = 4 + 4 * dims;
    if (data.size() < 4)
        throw InputError(what + ": too short for an IDX " + kind + " header (" +
                         std::to_string(data.size()) + " bytes)");
    const std::uint32_t found = readBigEndian(data, 0);
    // The top three bytes say "IDX, unsigned bytes"; the last one counts dimensions.
    if ((found & 0xffffff00u) != (magic & 0xffffff00u))
        throw InputError(what + ": not an IDX " + kind + " file (magic number " + hex32(found) +
                         ", expected " + hex32(magic) + ")");
    if ((found & 0xff) != dims)
        throw InputError(what + ": expected " + std::to_string(dims) + " dimension" +
                         (dims == 1 ? "" : "s") + " in an IDX " + kind + " file, found " +
                         std::to_string(found & 0xff));
    if (data.size() < headerSize)
        throw InputError(what + ": too short for an IDX " + kind + " header (" +
                         std::to_string(data.size()) + " bytes)");
    return headerSize;
}

// Payload must match the header exactly: a short file is truncated, a long one is not
// the file the header describes.
void checkPayload(std::size_t available, std::uint64_t expected, const std::string& what,
                  const std::string& described) {
    if (available < expected)
        throw InputError(what + ": truncated: header promises " + described + " (" +
                         std::to_string(expected) + " bytes) but only " +
                         std::to_string(available) + " bytes follow");
    if (available > expected)
        throw InputError(what + ": " + std::to_string(available - expected) + " unexpected byte" +
                         (available - expected == 1 ? "" : "s") + " after " + described);
}

} // namespace

std::vector<std::uint8_t> maybeGunzip(const std::vector<std::uint8_t>& bytes,
                                      const std::string& what) {
    if (bytes.size() < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;

    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        throw InputError(what + ": cannot initialise gzip decoder");
    // The gzip trailer holds the uncompressed size (mod 2^32): a good first guess.
    std::size_t guess = bytes.size() >= 18 ? (std::size_t(bytes[bytes.size() - 1]) << 24 |
                                              std::size_t(bytes[bytes.size() - 2]) << 16 |
                                              std::size_t(bytes[bytes.size() - 3]) << 8 |
                                              std::size_t(bytes[bytes.size() - 4]))
                                           : 0;
    // Deflate cannot exceed ~1032:1, so a corrupt trailer cannot make us over-allocate.
    guess = std::min({guess + 1, bytes.size() * 1032, std::size_t(1) << 30});
    std::vector<std::uint8_t> out(std::max<std::size_t>(guess, 1024));
    std::size_t produced = 0, consumed = 0;
    constexpr std::size_t kChunk = std::numeric_limits<uInt>::max();

    auto fail = [&](const std::string& message) {
        inflateEnd(&zs);
        throw InputError(what + ": " + message);
    };
    for (;;) {
        if (produced == out.size()) out.resize(out.size() * 2);
        if (zs.avail_in == 0 && consumed < bytes.size()) {
            zs.next_in = const_cast<Bytef*>(bytes.data() + consumed);
            zs.avail_in = uInt(std::min(kChunk, bytes.size() - consumed));
            consumed += zs.avail_in;
        }
        const uInt room = uInt(std::min(kChunk, out.size() - produced));
        zs.next_out = out.data() + produced;
        zs.avail_out = room;
        const int rc = inflate(&zs, Z_NO_FLUSH);
        produced += room - zs.avail_out;
        if (rc == Z_STREAM_END) {
            const std::size_t rest = zs.avail_in + (bytes.size() - consumed);
            if (rest == 0) break;
            // Concatenated gzip members are one valid stream (as `cat a.gz b.gz` makes).
            const std::uint8_t* next = zs.next_in;
            if (zs.avail_in >= 2 && next[0] == 0x1f && next[1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            fail(std::to_string(rest) + " unexpected byte" + (rest == 1 ? "" : "s") +
                 " after the gzip data");
        }
        if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == bytes.size())
            fail("gzip data ends early (file truncated?)");
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            fail(std::string("corrupt gzip data (") + (zs.msg ? zs.msg : "unknown error") + ")");
    }
    inflateEnd(&zs);
    out.resize(produced);
    return out;
}

// bytes: IDX [magic, count, rows, cols, pixels...] -> RawImages with empty labels.
RawImages parseIdxImages(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    std::vector<std::uint8_t> data = maybeGunzip(bytes, what);
    const std::size_t header = checkHeader(data, kImagesMagic, "image", what);
    const std::uint32_t count = readBigEndian(data, 4);
    const std::uint32_t rows = readBigEndian(data, 8);
    const std::uint32_t cols = readBigEndian(data, 12);
    if (count == 0) throw InputError(what + ": contains no images");
    constexpr std::uint32_t kMaxInt = std::numeric_limits<int>::max();
    if (rows == 0 || cols == 0 || rows > 65535 || cols > 65535 || count > kMaxInt)
        throw InputError(what + ": implausible size " + std::to_string(count) + " images of " +
                         std::to_string(rows) + "x" + std::to_string(cols));
    const std::uint64_t expected = std::uint64_t(count) * rows * cols;
    checkPayload(data.size() - header, expected, what,
                 std::to_string(count) + " images of " + std::to_string(rows) + "x" +
                     std::to_string(cols));

    RawImages raw;
    raw.count = int(count);
    raw.rows = int(rows);
    raw.cols = int(cols);
    data.erase(data.begin(), data.begin() + std::ptrdiff_t(header));
    raw.pixels = std::move(data);
    return raw;
}

// bytes: IDX [magic, count, labels...] -> [count] digits.
std::vector<std::uint8_t> parseIdxLabels(const std::vector<std::uint8_t>& bytes,
                                         const std::string& what) {
    const std::vector<std::uint8_t> data = maybeGunzip(bytes, what);
    const std::size_t header = checkHeader(data, kLabelsMagic, "label", what);
    const std::uint32_t count = readBigEndian(data, 4);
    if (count == 0) throw InputError(what + ": contains no labels");
    checkPayload(data.size() - header, count, what, std::to_string(count) + " labels");

    std::vector<std::uint8_t> labels(data.begin() + std::ptrdiff_t(header), data.end());
    const auto bad = std::find_if(labels.begin(), labels.end(), [](int l) { return l > 9; });
    if (bad != labels.end())
        throw InputError(what + ": label " + std::to_string(*bad) + " at index " +
                         std::to_string(bad - labels.begin()) + " is not a digit 0-9");
    return labels;
}

std::vector<std::uint8_t> writeIdxImages(const RawImages& raw) {
    std::vector<std::uint8_t> out;
    out.reserve(16 + raw.pixels.size());
    appendBigEndian(out, kImagesMagic);
    appendBigEndian(out, std::uint32_t(raw.count));
    appendBigEndian(out, std::uint32_t(raw.rows));
    appendBigEndian(out, std::uint32_t(raw.cols));
    out.insert(out.end(), raw.pixels.begin(), raw.pixels.end());
    return out;
}

std::vector<std::uint8_t> writeIdxLabels(const std::vector<std::uint8_t>& labels) {
    std::vector<std::uint8_t> out;
    out.reserve(8 + labels.size());
    appendBigEndian(out, kLabelsMagic);
    appendBigEndian(out, std::uint32_t(labels.size()));
    out.insert(out.end(), labels.begin(), labels.end());
    return out;
}

RawImages loadIdxPair(const std::string& imagesPath, const std::string& labelsPath) {
    RawImages raw = parseIdxImages(readFileBytes(imagesPath), imagesPath);
    raw.labels = parseIdxLabels(readFileBytes(labelsPath), labelsPath);
    if (raw.labels.size() != std::size_t(raw.count))
        throw InputError(labelsPath + ": " + std::to_string(raw.labels.size()) + " labels but " +
                         imagesPath + " has " + std::to_string(raw.count) + " images");
    return raw;
}

} // namespace lora
