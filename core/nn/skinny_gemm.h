#pragma once
// Products with a skinny left operand (at most 16 rows, e.g. a batch of 10 samples) against a
// big weight matrix. OpenBLAS packs the whole weight matrix on every call, which costs more
// than the product itself at this shape; these kernels stream the weights once, unpacked,
// and keep the small operand in L1/L2. They are memory-bound by design.
//
// All matrices are row-major, given as pointer + leading dimension (≥ the row length);
// pointers need not be aligned. One thread, no heap allocation, and the same inputs give the
// same bits on every call (the summation order depends only on the shape).

namespace lora {

// Largest row count of the skinny operand the kernels take.
inline constexpr long kSkinnyGemmMaxRows = 16;

// True when this CPU has the kernels (AVX-512F); otherwise callers use the general path.
bool skinnyGemmAvailable();

// x: [m, k] (ld lx), w: [n, k] (ld lw) -> c: [m, n] (ld lc)
// c = alpha·x·wᵀ + beta·c; beta 0 never reads c (it may hold NaN). 1 ≤ m ≤ 16.
void skinnyGemmXWt(long m, long n, long k, float alpha, const float* x, long lx, const float* w,
                   long lw, float beta, float* c, long lc);

// d: [m, k] (ld ldd), w: [k, n] (ld lw) -> c: [m, n] (ld lc)
// c = alpha·d·w + beta·c; beta 0 never reads c (it may hold NaN). 1 ≤ m ≤ 16.
void skinnyGemmDW(long m, long n, long k, float alpha, const float* d, long ldd, const float* w,
                  long lw, float beta, float* c, long lc);

} // namespace lora
