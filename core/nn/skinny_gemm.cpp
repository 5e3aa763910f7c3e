// AVX-512 kernels for products whose left operand has at most 16 rows (see skinny_gemm.h).
// The file is compiled without -mavx512f (portable build): only the functions marked
// LORA_AVX512 use those instructions, and they are reached only after skinnyGemmAvailable().
#include "nn/skinny_gemm.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>

#define LORA_AVX512 __attribute__((target("avx512f")))

namespace lora {
namespace {

// Row counts up to this run as one register block; 15 and 16 rows are split in two halves
// (8 + 7, 8 + 8), which share each slab of w while it is still in L1.
constexpr int kMaxBlockRows = 14;

// rows of a register block -> columns of w (XWt) or 16-wide vectors of c (DW) per pass,
// so that rows × group ≤ 28 accumulators fit the 32 zmm registers beside the w vectors.
constexpr int groupFor(int rows) {
    return rows <= 7 ? 4 : rows <= 9 ? 3 : 2;
}

// m rows -> rows of the first register block; the second block takes the rest.
constexpr int firstBlockRows(int m) {
    return m <= kMaxBlockRows ? m : (m + 1) / 2;
}

// DW walks w in slabs of this many rows: every column tile of a slab is visited before the
// next slab, so each row of the slab is read left to right and the L2 streamer (which
// follows a few dozen 4 KB pages at once) prefetches it; a tile running down all of w
// would touch a new page at every k. Measured at (10, 1000, 2000): 32 rows ~90 GFLOP/s,
// 64 or 128 rows ~55, all 2000 rows ~50.
constexpr long kDwSlabRows = 32;

// count in [0, 16] -> mask with lanes [0, count) set.
inline __mmask16 firstLanes(long count) {
    return __mmask16((1u << count) - 1u);
}

// v: [16] -> unchanged. GCC folds a vector load into every FMA that uses it, so R FMAs
// sharing one x vector load it R times and the loop becomes load-bound (XWt at m = 10:
// ~60 -> ~78 GFLOP/s with this); an empty asm that "changes" the vector makes it load once
// into a register. Costs no instruction.
LORA_AVX512 inline void keepInRegister(__m512& v) {
    asm("" : "+v"(v));
}

// GCC 12's unmasked _mm512_shuffle_f32x4 and _mm512_permute_ps start from
// _mm512_undefined_ps() and so warn (-Wuninitialized) once inlined here; the zero-masked
// forms with every lane selected compile to the same instructions without the warning.
constexpr __mmask16 kAll = 0xFFFF;

// a, b, c, d: [16] each -> lanes 0, 4, 8, 12 hold their totals. Adds 128-bit quarters
// across the four vectors first, so 4 totals cost 13 instructions instead of about 32.
LORA_AVX512 inline __m512 sum4(__m512 a, __m512 b, __m512 c, __m512 d) {
    // Quarters: ab = [a0+a2, a1+a3, b0+b2, b1+b3], cd likewise.
    const __m512 ab = _mm512_add_ps(_mm512_maskz_shuffle_f32x4(kAll, a, b, 0x44),
                                    _mm512_maskz_shuffle_f32x4(kAll, a, b, 0xEE));
    const __m512 cd = _mm512_add_ps(_mm512_maskz_shuffle_f32x4(kAll, c, d, 0x44),
                                    _mm512_maskz_shuffle_f32x4(kAll, c, d, 0xEE));
    // Quarter q now holds four partial sums of vector q (a, b, c, d).
    __m512 s = _mm512_add_ps(_mm512_maskz_shuffle_f32x4(kAll, ab, cd, 0x88),
                             _mm512_maskz_shuffle_f32x4(kAll, ab, cd, 0xDD));
    s = _mm512_add_ps(s, _mm512_maskz_permute_ps(kAll, s, 0x4E));    // + the other pair
    return _mm512_add_ps(s, _mm512_maskz_permute_ps(kAll, s, 0xB1)); // + the neighbour
}

// x: [MC, k] (ld lx), wr[r]: row r of w, [k] -> c: [MC, valid] (ld lc), valid ≤ R.
// Each w row is loaded once per 16 k and used against all MC rows of x; the k-tail is
// masked, and each dot product is reduced horizontally only at the end. Not inlined: inside
// xwtRun clang ran out of registers for two blocks' accumulators and spilled in the loop.
template <int MC, int R>
LORA_AVX512 __attribute__((noinline)) void xwtBlock(long k, const float* x, long lx,
                                                    const float* const* wr, float alpha, float beta,
                                                    float* c, long lc, int valid) {
    // acc[i·R + r] = x row i · w row r, in 16 partial sums; padded with zeros to whole
    // groups of four for the final reduction.
    constexpr int count = MC * R, padded = (count + 3) / 4 * 4;
    __m512 acc[padded];
    // The k-tail (k mod 16, possibly 0) goes first, with masked loads: lanes past it load
    // as zero and cannot fault. Straight-line code before one loop, rather than a second
    // loop or block after it, keeps clang from spilling and shuffling the accumulators.
    const long head = k % 16;
    const __mmask16 mask = firstLanes(head);
    __m512 wv[R];
    for (int r = 0; r < R; ++r) wv[r] = _mm512_maskz_loadu_ps(mask, wr[r]);
    for (int i = 0; i < MC; ++i) {
        const __m512 xv = _mm512_maskz_loadu_ps(mask, x + i * lx);
        for (int r = 0; r < R; ++r) acc[i * R + r] = _mm512_mul_ps(xv, wv[r]);
    }
    for (int a = count; a < padded; ++a) acc[a] = _mm512_setzero_ps();
    for (long p = head; p < k; p += 16) {
        for (int r = 0; r < R; ++r) wv[r] = _mm512_loadu_ps(wr[r] + p);
        for (int i = 0; i < MC; ++i) {
            __m512 xv = _mm512_loadu_ps(x + i * lx + p);
            keepInRegister(xv);
            for (int r = 0; r < R; ++r) acc[i * R + r] = _mm512_fmadd_ps(xv, wv[r], acc[i * R + r]);
        }
    }
    // Reduce four accumulators at a time: far fewer shuffles than one reduction each.
    alignas(64) float sums[padded];
    for (int g = 0; g < padded; g += 4) {
        alignas(64) float lanes[16];
        _mm512_store_ps(lanes, sum4(acc[g], acc[g + 1], acc[g + 2], acc[g + 3]));
        for (int q = 0; q < 4; ++q) sums[g + q] = lanes[4 * q];
    }
    for (int i = 0; i < MC; ++i)
        for (int r = 0; r < valid; ++r) {
            const float sum = alpha * sums[i * R + r];
            float* out = c + i * lc + r;
            // beta 0 must not read c: it may be uninitialised (NaN · 0 is NaN).
            *out = beta == 0.0f ? sum : sum + beta * *out;
        }
}

// x: [M, k] (ld lx), w: [n, k] (ld lw) -> c: [M, n] (ld lc)
// Walks w once, R rows at a time; with two register blocks the second one re-reads the same
// R rows of w from L1.
template <int M>
LORA_AVX512 void xwtRun(long n, long k, float alpha, const float* x, long lx, const float* w,
                        long lw, float beta, float* c, long lc) {
    constexpr int M1 = firstBlockRows(M), M2 = M - M1, R = groupFor(M1);
    for (long j = 0; j < n; j += R) {
        const int valid = int(std::min<long>(R, n - j));
        // Past the last row of w, repeat it: the results for those columns are not stored.
        const float* wr[R];
        for (int r = 0; r < R; ++r) wr[r] = w + std::min<long>(j + r, n - 1) * lw;
        xwtBlock<M1, R>(k, x, lx, wr, alpha, beta, c + j, lc, valid);
        if constexpr (M2 > 0)
            xwtBlock<M2, R>(k, x + M1 * lx, lx, wr, alpha, beta, c + M1 * lc + j, lc, valid);
    }
}

// bs[p·16 + i] = alpha·d[i][k0 + p]: [kc, MC] (ld 16), w: [kc, 16·T] (ld lw)
//   -> c: [MC, 16·T] (ld lc), c = cScale·c + bs·w; cScale 0 never reads c.
// Each w vector is loaded once per slab row and used against all MC rows; d comes as
// broadcasts from the small transposed buffer. Masked: mask[t] limits vector t of the tile.
// Not inlined, for the same reason as xwtBlock.
template <int MC, int T, bool Masked>
LORA_AVX512 __attribute__((noinline)) void dwBlock(long kc, const float* bs, const float* w,
                                                   long lw, float* c, long lc,
                                                   const __mmask16* mask, float cScale) {
    __m512 acc[MC][T];
    const __m512 scale = _mm512_set1_ps(cScale);
    for (int i = 0; i < MC; ++i)
        for (int t = 0; t < T; ++t) {
            const float* src = c + i * lc + 16 * t;
            if (cScale == 0.0f)
                acc[i][t] = _mm512_setzero_ps();
            else
                acc[i][t] = _mm512_mul_ps(scale, Masked ? _mm512_maskz_loadu_ps(mask[t], src)
                                                        : _mm512_loadu_ps(src));
        }
    for (long p = 0; p < kc; ++p) {
        __m512 wv[T];
        const float* row = w + p * lw;
        for (int t = 0; t < T; ++t)
            wv[t] = Masked ? _mm512_maskz_loadu_ps(mask[t], row + 16 * t)
                           : _mm512_loadu_ps(row + 16 * t);
        for (int i = 0; i < MC; ++i) {
            __m512 b = _mm512_set1_ps(bs[p * 16 + i]);
            keepInRegister(b);
            for (int t = 0; t < T; ++t) acc[i][t] = _mm512_fmadd_ps(b, wv[t], acc[i][t]);
        }
    }
    for (int i = 0; i < MC; ++i)
        for (int t = 0; t < T; ++t) {
            float* dst = c + i * lc + 16 * t;
            if (Masked)
                _mm512_mask_storeu_ps(dst, mask[t], acc[i][t]);
            else
                _mm512_storeu_ps(dst, acc[i][t]);
        }
}

// One column tile of one slab, for both register blocks of an M-row operand.
// bs: [kc, M] (ld 16), w: [kc, 16·T] (ld lw) -> c: [M, 16·T] (ld lc)
template <int M, int T, bool Masked>
LORA_AVX512 void dwTile(long kc, const float* bs, const float* w, long lw, float* c, long lc,
                        const __mmask16* mask, float cScale) {
    constexpr int M1 = firstBlockRows(M), M2 = M - M1;
    dwBlock<M1, T, Masked>(kc, bs, w, lw, c, lc, mask, cScale);
    // The second block re-reads this slab of the tile (≤ 16 KB) from L1.
    if constexpr (M2 > 0) dwBlock<M2, T, Masked>(kc, bs + M1, w, lw, c + M1 * lc, lc, mask, cScale);
}

// d: [M, k] (ld ldd), w: [k, n] (ld lw) -> c: [M, n] (ld lc)
// Slabs of kDwSlabRows rows of w, each swept in tiles of 16·T columns; the accumulators go
// through c between slabs (the first slab starts from beta·c, or from zero for beta 0).
template <int M>
LORA_AVX512 void dwRun(long n, long k, float alpha, const float* d, long ldd, const float* w,
                       long lw, float beta, float* c, long lc) {
    constexpr int T = groupFor(firstBlockRows(M));
    constexpr long width = 16 * T;
    std::array<__mmask16, T> full, tail;
    for (int t = 0; t < T; ++t) {
        full[t] = 0xFFFF;
        tail[t] = firstLanes(std::clamp<long>(n % width - 16 * t, 0, 16));
    }
    alignas(64) float bs[kDwSlabRows * 16];
    for (long k0 = 0; k0 < k; k0 += kDwSlabRows) {
        const long kc = std::min(kDwSlabRows, k - k0);
        // alpha is folded into d here, once per slab, rather than into every tile.
        for (int i = 0; i < M; ++i)
            for (long p = 0; p < kc; ++p) bs[p * 16 + i] = alpha * d[i * ldd + k0 + p];
        const float cScale = k0 == 0 ? beta : 1.0f;
        const float* slab = w + k0 * lw;
        long j = 0;
        for (; j + width <= n; j += width)
            dwTile<M, T, false>(kc, bs, slab + j, lw, c + j, lc, full.data(), cScale);
        if (j < n) dwTile<M, T, true>(kc, bs, slab + j, lw, c + j, lc, tail.data(), cScale);
    }
}

using Kernel = void (*)(long n, long k, float alpha, const float* a, long la, const float* w,
                        long lw, float beta, float* c, long lc);

// Entry I is the kernel for I + 1 rows.
template <std::size_t... I>
constexpr std::array<Kernel, sizeof...(I)> xwtTable(std::index_sequence<I...>) {
    return {&xwtRun<int(I) + 1>...};
}
template <std::size_t... I>
constexpr std::array<Kernel, sizeof...(I)> dwTable(std::index_sequence<I...>) {
    return {&dwRun<int(I) + 1>...};
}
constexpr auto kXwtKernels = xwtTable(std::make_index_sequence<kSkinnyGemmMaxRows>());
constexpr auto kDwKernels = dwTable(std::make_index_sequence<kSkinnyGemmMaxRows>());

} // namespace

bool skinnyGemmAvailable() {
    static const bool available = __builtin_cpu_supports("avx512f");
    return available;
}

} // namespace lora

#else // not x86-64: no kernels; callers take the general path.

namespace lora {
namespace {
using Kernel = void (*)(long, long, float, const float*, long, const float*, long, float, float*,
                        long);
constexpr std::array<Kernel, kSkinnyGemmMaxRows> kXwtKernels{}, kDwKernels{};
} // namespace

bool skinnyGemmAvailable() {
    return false;
}

} // namespace lora

#endif

namespace lora {
namespace {

// c: [m, n] (ld lc) -> c = beta·c, for an empty sum (k = 0); beta 0 overwrites NaN.
void scaleOnly(long m, long n, float beta, float* c, long lc) {
    for (long i = 0; i < m; ++i)
        for (long j = 0; j < n; ++j) c[i * lc + j] = beta == 0.0f ? 0.0f : beta * c[i * lc + j];
}

} // namespace

// x: [m, k], w: [n, k] -> c: [m, n]
void skinnyGemmXWt(long m, long n, long k, float alpha, const float* x, long lx, const float* w,
                   long lw, float beta, float* c, long lc) {
    assert(m >= 1 && m <= kSkinnyGemmMaxRows && skinnyGemmAvailable());
    assert(lx >= k && lw >= k && lc >= n);
    if (n <= 0) return;
    if (k <= 0) return scaleOnly(m, n, beta, c, lc);
    kXwtKernels[std::size_t(m - 1)](n, k, alpha, x, lx, w, lw, beta, c, lc);
}

// d: [m, k], w: [k, n] -> c: [m, n]
void skinnyGemmDW(long m, long n, long k, float alpha, const float* d, long ldd, const float* w,
                  long lw, float beta, float* c, long lc) {
    assert(m >= 1 && m <= kSkinnyGemmMaxRows && skinnyGemmAvailable());
    assert(ldd >= k && lw >= n && lc >= n);
    if (n <= 0) return;
    if (k <= 0) return scaleOnly(m, n, beta, c, lc);
    kDwKernels[std::size_t(m - 1)](n, k, alpha, d, ldd, w, lw, beta, c, lc);
}

} // namespace lora
