#include "train/fma_peak.h"

#include "train/benchmark.h"

#include <algorithm>
#include <chrono>
#include <immintrin.h>

namespace lora {

namespace {

// acc = acc·a + b converges to b / (1 - a) = 1: no overflow, no denormals, and the
// accumulators are independent chains, enough of them to cover the FMA latency on every
// port. Each function is compiled for its own instruction set and only called when the CPU
// has it, so the build itself stays portable.
constexpr long kIterations = 1 << 20;

__attribute__((target("avx512f"))) float loop512() {
    __m512 acc0 = _mm512_set1_ps(0.0f), acc1 = _mm512_set1_ps(0.1f), acc2 = _mm512_set1_ps(0.2f),
           acc3 = _mm512_set1_ps(0.3f), acc4 = _mm512_set1_ps(0.4f), acc5 = _mm512_set1_ps(0.5f),
           acc6 = _mm512_set1_ps(0.6f), acc7 = _mm512_set1_ps(0.7f), acc8 = _mm512_set1_ps(0.8f),
           acc9 = _mm512_set1_ps(0.9f), acc10 = _mm512_set1_ps(1.0f), acc11 = _mm512_set1_ps(1.1f);
    const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-6f);
    for (long i = 0; i < kIterations; ++i) {
        acc0 = _mm512_fmadd_ps(acc0, a, b);
        acc1 = _mm512_fmadd_ps(acc1, a, b);
        acc2 = _mm512_fmadd_ps(acc2, a, b);
        acc3 = _mm512_fmadd_ps(acc3, a, b);
        acc4 = _mm512_fmadd_ps(acc4, a, b);
        acc5 = _mm512_fmadd_ps(acc5, a, b);
        acc6 = _mm512_fmadd_ps(acc6, a, b);
        acc7 = _mm512_fmadd_ps(acc7, a, b);
        acc8 = _mm512_fmadd_ps(acc8, a, b);
        acc9 = _mm512_fmadd_ps(acc9, a, b);
        acc10 = _mm512_fmadd_ps(acc10, a, b);
        acc11 = _mm512_fmadd_ps(acc11, a, b);
    }
    const __m512 s = _mm512_add_ps(
        _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)),
                      _mm512_add_ps(_mm512_add_ps(acc4, acc5), _mm512_add_ps(acc6, acc7))),
        _mm512_add_ps(_mm512_add_ps(acc8, acc9), _mm512_add_ps(acc10, acc11)));
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, s);
    float total = 0;
    for (float x : lanes) total += x;
    return total;
}

__attribute__((target("avx2,fma"))) float loop256() {
    __m256 acc0 = _mm256_set1_ps(0.0f), acc1 = _mm256_set1_ps(0.1f), acc2 = _mm256_set1_ps(0.2f),
           acc3 = _mm256_set1_ps(0.3f), acc4 = _mm256_set1_ps(0.4f), acc5 = _mm256_set1_ps(0.5f),
           acc6 = _mm256_set1_ps(0.6f), acc7 = _mm256_set1_ps(0.7f), acc8 = _mm256_set1_ps(0.8f),
           acc9 = _mm256_set1_ps(0.9f), acc10 = _mm256_set1_ps(1.0f), acc11 = _mm256_set1_ps(1.1f);
    const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-6f);
    for (long i = 0; i < kIterations; ++i) {
        acc0 = _mm256_fmadd_ps(acc0, a, b);
        acc1 = _mm256_fmadd_ps(acc1, a, b);
        acc2 = _mm256_fmadd_ps(acc2, a, b);
        acc3 = _mm256_fmadd_ps(acc3, a, b);
        acc4 = _mm256_fmadd_ps(acc4, a, b);
        acc5 = _mm256_fmadd_ps(acc5, a, b);
        acc6 = _mm256_fmadd_ps(acc6, a, b);
        acc7 = _mm256_fmadd_ps(acc7, a, b);
        acc8 = _mm256_fmadd_ps(acc8, a, b);
        acc9 = _mm256_fmadd_ps(acc9, a, b);
        acc10 = _mm256_fmadd_ps(acc10, a, b);
        acc11 = _mm256_fmadd_ps(acc11, a, b);
    }
    const __m256 s = _mm256_add_ps(
        _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)),
                      _mm256_add_ps(_mm256_add_ps(acc4, acc5), _mm256_add_ps(acc6, acc7))),
        _mm256_add_ps(_mm256_add_ps(acc8, acc9), _mm256_add_ps(acc10, acc11)));
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, s);
    float total = 0;
    for (float x : lanes) total += x;
    return total;
}

// Without FMA a multiply-add is two instructions: counted as the two FLOPs it is.
float loop128() {
    __m128 acc[8];
    for (int k = 0; k < 8; ++k) acc[k] = _mm_set1_ps(0.1f * static_cast<float>(k));
    const __m128 a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-6f);
    for (long i = 0; i < kIterations; ++i)
        for (auto& x : acc) x = _mm_add_ps(_mm_mul_ps(x, a), b);
    __m128 s = acc[0];
    for (int k = 1; k < 8; ++k) s = _mm_add_ps(s, acc[k]);
    alignas(16) float lanes[4];
    _mm_store_ps(lanes, s);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

} // namespace

FmaPeak measureFmaPeak(double seconds) {
    checkBenchSeconds(seconds);
    __builtin_cpu_init();
    FmaPeak peak;
    float (*loop)() = loop128;
    double flopsPerRun = 8.0 * 4 * 2 * kIterations;
    peak.vectorBits = 128;
    if (__builtin_cpu_supports("avx512f")) {
        loop = loop512;
        flopsPerRun = 12.0 * 16 * 2 * kIterations;
        peak.vectorBits = 512;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        loop = loop256;
        flopsPerRun = 12.0 * 8 * 2 * kIterations;
        peak.vectorBits = 256;
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    volatile float sink = 0;
    do {
        const auto t0 = Clock::now();
        sink = sink + loop();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        if (s > 0) peak.gflops = std::max(peak.gflops, flopsPerRun / s / 1e9);
    } while (std::chrono::duration<double>(Clock::now() - start).count() < seconds);
    return peak;
}

} // namespace lora
