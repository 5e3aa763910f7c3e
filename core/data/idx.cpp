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
        throw InputError(what + ": not an IDX " + kind + " file (its magic number is not " +
                         hex32(magic) + ")");
    if ((found & 0xff) != dims)
        throw InputError(what + ": not an IDX " + kind + " file (it does not have " +
                         std::to_string(dims) + " dimension" + (dims == 1 ? "" : "s") + ")");
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

namespace {

// Inflates gzip members in bounded steps. `allowed(out)` is asked whenever more output
// arrives and says how many bytes the data may have in all, judged from what is out so far
// (an IDX header, once its bytes are there): output past that is refused at once, so a
// bomb costs its budget, never its inflated size, and a trailer is never trusted.
template <typename Allowed>
std::vector<std::uint8_t> gunzipBounded(const std::vector<std::uint8_t>& bytes,
                                        const std::string& what, const std::string& overflow,
                                        Allowed allowed) {
    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        throw InputError(what + ": cannot initialise gzip decoder");
    struct Ender {
        z_stream* zs;
        ~Ender() { inflateEnd(zs); }
    } ender{&zs};
    const auto fail = [&](const std::string& message) { throw InputError(what + ": " + message); };
    std::vector<std::uint8_t> out;
    constexpr std::size_t kStep = 1 << 20;
    std::size_t consumed = 0;
    for (;;) {
        if (zs.avail_in == 0 && consumed < bytes.size()) {
            zs.next_in = const_cast<Bytef*>(bytes.data() + consumed);
            zs.avail_in = uInt(std::min<std::size_t>(kStep, bytes.size() - consumed));
            consumed += zs.avail_in;
        }
        const std::size_t limit = allowed(out);
        if (out.size() > limit) fail(overflow);
        // At the limit, room for one byte more: if inflate fills it, there was too much.
        std::uint8_t probe = 0;
        const bool probing = out.size() == limit;
        const std::size_t before = out.size();
        if (probing) {
            zs.next_out = &probe;
            zs.avail_out = 1;
        } else {
            out.resize(before + std::min<std::size_t>(kStep, limit - before));
            zs.next_out = out.data() + before;
            zs.avail_out = uInt(out.size() - before);
        }
        const int rc = inflate(&zs, Z_NO_FLUSH);
        if (probing && zs.avail_out == 0) fail(overflow);
        if (!probing) out.resize(out.size() - zs.avail_out);
        if (rc == Z_STREAM_END) {
            const std::size_t rest = zs.avail_in + (bytes.size() - consumed);
            if (rest == 0) break;
            // Concatenated gzip members are one valid stream (as `cat a.gz b.gz` makes).
            if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f && zs.next_in[1] == 0x8b) {
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
    if (out.size() > allowed(out)) fail(overflow); // the last step may have run past it
    return out;
}

bool isGzip(const std::vector<std::uint8_t>& bytes) {
    return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

// The total size an IDX file of `magic` may have, judged from its first bytes: SIZE_MAX
// until the header is complete, then the size its header describes (checked, and within
// kMaxIdxBytes).
std::size_t idxSizeAllowed(const std::vector<std::uint8_t>& head, std::uint32_t magic,
                           const char* kind, const std::string& what) {
    const std::size_t headerSize = 4 + 4 * (magic & 0xff);
    if (head.size() < headerSize) return SIZE_MAX;
    checkHeader(head, magic, kind, what);
    std::uint64_t total = headerSize;
    std::uint64_t payload = readBigEndian(head, 4);
    for (std::size_t at = 8; at < headerSize; at += 4) payload *= readBigEndian(head, at);
    total += payload;
    if (total > kMaxIdxBytes)
        throw InputError(what + ": its header describes more than the " +
                         std::to_string(kMaxIdxBytes >> 20) + " MiB an IDX file may hold");
    return static_cast<std::size_t>(total);
}

// The IDX bytes of a raw or gzip file, inflated within the size its header describes.
std::vector<std::uint8_t> idxBytes(const std::vector<std::uint8_t>& bytes, std::uint32_t magic,
                                   const char* kind, const std::string& what) {
    if (!isGzip(bytes)) {
        idxSizeAllowed(bytes, magic, kind, what); // the same budget, for its message
        return bytes;
    }
    return gunzipBounded(bytes, what, "inflates to more than its header describes",
                         [&](const std::vector<std::uint8_t>& out) {
                             return idxSizeAllowed(out, magic, kind, what);
                         });
}

} // namespace

std::vector<std::uint8_t> maybeGunzip(const std::vector<std::uint8_t>& bytes,
                                      const std::string& what) {
    if (!isGzip(bytes)) return bytes;
    return gunzipBounded(
        bytes, what, "inflates to more than " + std::to_string(kMaxIdxBytes >> 20) + " MiB",
        [](const std::vector<std::uint8_t>&) { return std::size_t(kMaxIdxBytes); });
}

// bytes: IDX [magic, count, rows, cols, pixels...] -> RawImages with empty labels.
RawImages parseIdxImages(const std::vector<std::uint8_t>& bytes, const std::string& what) {
    std::vector<std::uint8_t> data = idxBytes(bytes, kImagesMagic, "image", what);
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
    const std::vector<std::uint8_t> data = idxBytes(bytes, kLabelsMagic, "label", what);
    const std::size_t header = checkHeader(data, kLabelsMagic, "label", what);
    const std::uint32_t count = readBigEndian(data, 4);
    if (count == 0) throw InputError(what + ": contains no labels");
    checkPayload(data.size() - header, count, what, std::to_string(count) + " labels");

    std::vector<std::uint8_t> labels(data.begin() + std::ptrdiff_t(header), data.end());
    const auto bad = std::find_if(labels.begin(), labels.end(), [](int l) { return l > 9; });
    if (bad != labels.end())
        throw InputError(what + ": the label at index " + std::to_string(bad - labels.begin()) +
                         " is not a digit 0-9");
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
    // A gzip file is within the budget too: deflate packs at most ~1032:1.
    RawImages raw = parseIdxImages(readFileBytes(imagesPath, kMaxIdxBytes), imagesPath);
    raw.labels = parseIdxLabels(readFileBytes(labelsPath, kMaxIdxBytes), labelsPath);
    if (raw.labels.size() != std::size_t(raw.count))
        throw InputError(labelsPath + ": " + std::to_string(raw.labels.size()) + " labels but " +
                         imagesPath + " has " + std::to_string(raw.count) + " images");
    return raw;
}

} // namespace lora
