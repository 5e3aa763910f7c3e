#include "linalg/merge_stream.h"

#include "io/float16.h"
#include "util/error.h"

#include <cmath>
#include <cstring>

#if defined(__F16C__)
#include <immintrin.h>
#endif

namespace lora {

namespace {

// A row block of about 128 K values: W and ΔW (512 KB each) stay in the L2 cache between the
// passes over them, and memory stays bounded whatever the tensor.
constexpr std::int64_t kBlockValues = 1 << 17;

// On the bits, so that the loop vectorises (a float compare chain does not): a value is not
// finite when its exponent field is all ones.
bool allFinite(const float* v, std::size_t n) {
    std::uint32_t bad = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint32_t bits;
        std::memcpy(&bits, v + i, 4);
        bad |= (bits & 0x7f800000u) == 0x7f800000u;
    }
    return bad == 0;
}

// out: [n] <- n stored values of `dtype` (little-endian, as safetensors keeps them).
void widen(float* out, const std::string& dtype, const std::uint8_t* in, std::size_t n) {
    std::size_t i = 0;
    if (dtype == "F32") {
        std::memcpy(out, in, n * 4);
        return;
    }
    if (dtype == "BF16") {
        for (; i < n; ++i) {
            const std::uint32_t bits = std::uint32_t(in[2 * i] | in[2 * i + 1] << 8) << 16;
            std::memcpy(out + i, &bits, 4); // a bfloat16 is the top half of a float
        }
        return;
    }
#if defined(__F16C__)
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(
                                      reinterpret_cast<const __m128i*>(in + 2 * i))));
#endif
    for (; i < n; ++i) out[i] = halfToFloat(std::uint16_t(in[2 * i] | in[2 * i + 1] << 8));
}

// out: [n values of `dtype`] <- in [n]; F16/BF16 round to nearest, ties to even (the F16C
// instruction rounds as floatToHalf does). False when a value is not finite once stored.
bool narrow(std::uint8_t* out, const std::string& dtype, const float* in, std::size_t n) {
    if (dtype == "F32") {
        std::memcpy(out, in, n * 4);
        return allFinite(in, n);
    }
    std::size_t i = 0;
    std::uint16_t exponents = 0; // OR of the stored exponent fields that are all ones
    const bool half = dtype == "F16";
    const std::uint16_t mask = half ? 0x7c00 : 0x7f80;
#if defined(__F16C__)
    if (half)
        for (; i + 8 <= n; i += 8)
            _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 2 * i),
                             _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
    for (std::size_t k = 0; k < i; ++k) {
        const std::uint16_t v = std::uint16_t(out[2 * k] | out[2 * k + 1] << 8);
        exponents |= (v & mask) == mask;
    }
#endif
    if (!half) {
        // floatToBf16's rounding (to nearest, ties to even) written out here so that the loop
        // vectorises. No NaN reaches it (W and ΔW are checked finite), and an infinity from an
        // overflow keeps its all-ones exponent, so it is caught below.
        for (; i < n; ++i) {
            std::uint32_t bits;
            std::memcpy(&bits, in + i, 4);
            const std::uint16_t v = std::uint16_t((bits + 0x7fffu + (bits >> 16 & 1u)) >> 16);
            out[2 * i] = std::uint8_t(v);
            out[2 * i + 1] = std::uint8_t(v >> 8);
            exponents |= (v & mask) == mask;
        }
        return exponents == 0;
    }
    for (; i < n; ++i) {
        const std::uint16_t v = floatToHalf(in[i]);
        out[2 * i] = std::uint8_t(v);
        out[2 * i + 1] = std::uint8_t(v >> 8);
        exponents |= (v & mask) == mask;
    }
    return exponents == 0;
}

// Merges one tensor: the stored bytes of row blocks, W += ΔW, stored back. Returns max |ΔW|.
double mergeTensor(const CheckpointReader& shard, const CheckpointTensor& t,
                   const WeightDelta& delta, AtomicFileStream& out) {
    const std::size_t size = checkpointDTypeSize(t.dtype);
    const std::int64_t rows = delta.rows(), cols = delta.cols();
    const std::int64_t step =
        std::max<std::int64_t>(1, kBlockValues / std::max<std::int64_t>(1, cols));
    std::vector<std::uint8_t> bytes;
    Matrix weight, change;
    std::uint32_t maxBits = 0; // of max |ΔW|
    for (std::int64_t first = 0; first < rows; first += step) {
        const std::int64_t n = std::min(step, rows - first);
        const std::size_t count = static_cast<std::size_t>(n * cols);
        bytes.resize(count * size);
        shard.readAt(bytes.data(),
                     shard.dataStart() + t.begin + static_cast<std::uint64_t>(first * cols) * size,
                     bytes.size());
        weight.resize(n, cols);
        widen(weight.data(), t.dtype, bytes.data(), count);
        delta.rowBlock(first, n, change);
        // One pass: W += ΔW, with the finiteness of both and max |ΔW| kept on the bits (for
        // non-negative floats the order of the bits is the order of the values), so it vectorises.
        float* w = weight.data();
        const float* d = change.data();
        std::uint32_t badW = 0, badD = 0;
        for (std::size_t i = 0; i < count; ++i) {
            std::uint32_t wb, db;
            std::memcpy(&wb, w + i, 4);
            std::memcpy(&db, d + i, 4);
            badW |= (wb & 0x7f800000u) == 0x7f800000u;
            badD |= (db & 0x7f800000u) == 0x7f800000u;
            maxBits = std::max(maxBits, db & 0x7fffffffu);
            w[i] += d[i];
        }
        if (badW)
            throw InputError(shard.path() + ": tensor " + quotedName(t.name) +
                             " holds NaN or infinite values; merging into it is refused");
        if (badD)
            throw InputError(shard.path() + ": the change to tensor " + quotedName(t.name) +
                             " overflows float32");
        if (!narrow(bytes.data(), t.dtype, weight.data(), count))
            throw InputError(shard.path() + ": tensor " + quotedName(t.name) + " would hold " +
                             "infinite values after the merge (overflow in " + t.dtype + ")");
        out.write(bytes.data(), bytes.size());
    }
    float maxDelta;
    std::memcpy(&maxDelta, &maxBits, 4);
    return maxDelta;
}

} // namespace

ShardMergeStats writeMergedShard(const CheckpointReader& shard,
                                 const std::map<std::string, const WeightDelta*>& deltas,
                                 AtomicFileStream& out) {
    ShardMergeStats stats;
    const auto read = [&shard](std::uint8_t* to, std::uint64_t offset, std::size_t n) {
        shard.readAt(to, offset, n);
    };
    out.write(shard.headerBytes().data(), shard.headerBytes().size());
    // Untouched neighbours are copied as one range.
    std::uint64_t runBegin = 0, runEnd = 0;
    for (const CheckpointTensor& t : shard.tensors()) {
        const auto it = deltas.find(t.name);
        if (it == deltas.end()) {
            runEnd = t.end; // the layout is contiguous (CheckpointReader checks it)
            ++stats.copied;
            continue;
        }
        out.copy(shard.descriptor(), read, shard.dataStart() + runBegin, runEnd - runBegin);
        runBegin = runEnd = t.end;
        stats.maxDelta[t.name] = mergeTensor(shard, t, *it->second, out);
        ++stats.merged;
    }
    out.copy(shard.descriptor(), read, shard.dataStart() + runBegin, runEnd - runBegin);
    return stats;
}

} // namespace lora
