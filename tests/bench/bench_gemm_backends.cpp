// The training step's product shapes through gemm() with each backend forced in turn
// (OpenBLAS, then Eigen): the measurements behind nn/blas's choice. GFLOP/s on one thread;
// compare the two rows of a shape side by side, never assert them.
#include "nn/blas.h"
#include "nn/gemm.h"
#include "random_matrix.h"

#include <benchmark/benchmark.h>

using namespace lora;
using lora::test::uniformMatrix;

namespace {

// How a layer calls gemm(): which operand is read transposed.
enum Kind { XWt, DyTX, DyW };

// c: [m, n] with depth k: XWt is x[m,k]·W[n,k]ᵀ, DyTX is dy[k,m]ᵀ·x[k,n], DyW is dy[m,k]·W[k,n].
void BM_Gemm(benchmark::State& state) {
    const int m = static_cast<int>(state.range(0)), n = static_cast<int>(state.range(1)),
              k = static_cast<int>(state.range(2));
    const auto kind = static_cast<Kind>(state.range(3));
    setGemmBackend(state.range(4) ? GemmBackend::Blas : GemmBackend::Eigen);
    const Matrix a = kind == DyTX ? uniformMatrix(k, m, 2) : uniformMatrix(m, k, 2);
    const Matrix b = kind == XWt ? uniformMatrix(n, k, 3) : uniformMatrix(k, n, 3);
    Matrix c = Matrix::Zero(m, n);
    const Op opA = kind == DyTX ? Op::Transpose : Op::None;
    const Op opB = kind == XWt ? Op::Transpose : Op::None;
    for (auto _ : state) {
        gemm(c, a, opA, b, opB, 1.0f, kind == DyTX);
        benchmark::DoNotOptimize(c.data());
    }
    setGemmBackend(GemmBackend::Auto);
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * n * k * 1e-9 * state.iterations(),
                                                   benchmark::Counter::kIsRate);
}

void shapes(benchmark::internal::Benchmark* b) {
    const long shapes[][4] = {
        {1024, 1024, 1024, DyW},                         // the yardstick
        {64, 1000, 784, XWt},    {64, 2000, 1000, XWt},  // RichBoyNet forward, batch 64
        {64, 1000, 2000, DyW},   {2000, 1000, 64, DyTX}, // dx and dW of its second layer
        {1000, 784, 64, DyTX},   {64, 64, 784, XWt},     // dW of the first; seed 000's fc1
        {10, 1000, 784, XWt},    {10, 2000, 1000, XWt},  // batch 10
        {10, 1000, 2000, DyW},   {2000, 1000, 10, DyTX},
        {64, 4, 1000, XWt},      {64, 2000, 4, XWt}, // LoRA r4: h = x·Aᵀ, y += h·Bᵀ
        {2000, 4, 64, DyTX},     {64, 4, 2000, DyW}, // dB += dyᵀh, dh = dy·B
        {4, 1000, 64, DyTX},     {64, 1000, 4, DyW}, // dA += dhᵀx, dx += dh·A
        {10, 4, 1000, XWt},      {4, 1000, 10, DyTX},
        {64, 1000, 1000, XWt},   {64, 2000, 784, XWt}, // which of n and k decides
        {64, 1000, 768, XWt},    {64, 1000, 256, XWt},
    };
    for (const auto& s : shapes)
        for (long backend : {1, 0}) b->Args({s[0], s[1], s[2], s[3], backend});
    b->ArgNames({"m", "n", "k", "kind", "blas"});
}
BENCHMARK(BM_Gemm)->Apply(shapes);

} // namespace
