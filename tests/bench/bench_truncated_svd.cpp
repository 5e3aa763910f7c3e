// What a rank slider costs: the one-time decomposition, a fresh W_r, one slider tick through
// RankSweep, and an error(r) lookup. Shapes are MNIST's first layer of a small net (64×784)
// and RichBoyNet's middle layer (1000×2000, stored [out, in] = [2000, 1000]; SVD cost is
// symmetric in the transpose). Entries are N(0, 1); the timings do not depend on the spectrum.
#include "linalg/truncated_svd.h"
#include "util/rng.h"

#include <benchmark/benchmark.h>
#include <map>
#include <memory>
#include <utility>

using namespace lora;

namespace {

Matrix gaussian(int m, int n) {
    Rng rng(0);
    Matrix w(m, n);
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = rng.normal();
    return w;
}

// One decomposition per shape, shared by every benchmark that only reads it.
const TruncatedSvd& cachedSvd(int m, int n) {
    static std::map<std::pair<int, int>, std::unique_ptr<TruncatedSvd>> cache;
    auto& slot = cache[{m, n}];
    if (!slot) slot = std::make_unique<TruncatedSvd>(gaussian(m, n));
    return *slot;
}

int arg(const benchmark::State& state, int i) {
    return static_cast<int>(state.range(i));
}

// [m, n] -> σ, U Σ, V
void BM_Decompose(benchmark::State& state) {
    const Matrix w = gaussian(arg(state, 0), arg(state, 1));
    for (auto _ : state) {
        TruncatedSvd svd(w);
        benchmark::DoNotOptimize(svd.singularValues().data());
    }
}
BENCHMARK(BM_Decompose)
    ->ArgNames({"m", "n"})
    ->Args({64, 784})
    ->Args({1000, 2000})
    ->Unit(benchmark::kMillisecond);

// r -> W_r [m, n] from scratch (allocation included: that is what approximation() returns)
void BM_Approximation(benchmark::State& state) {
    const TruncatedSvd& svd = cachedSvd(arg(state, 0), arg(state, 1));
    const int r = arg(state, 2);
    for (auto _ : state) {
        Matrix wr = svd.approximation(r);
        benchmark::DoNotOptimize(wr.data());
        benchmark::ClobberMemory();
    }
}
BENCHMARK(BM_Approximation)
    ->ArgNames({"m", "n", "r"})
    ->ArgsProduct({{64}, {784}, {1, 8, 32, 64}})
    ->ArgsProduct({{1000}, {2000}, {1, 8, 64, 256, 500, 900}})
    ->Unit(benchmark::kMicrosecond);

// One slider tick: alternately r -> r + 1 and back, including the amortised fresh restarts
// the drift bound forces.
void BM_SweepTick(benchmark::State& state) {
    const TruncatedSvd& svd = cachedSvd(arg(state, 0), arg(state, 1));
    const int r = arg(state, 2);
    RankSweep sweep(svd);
    sweep.moveTo(r);
    bool up = true;
    for (auto _ : state) {
        const Matrix& wr = sweep.moveTo(up ? r + 1 : r);
        benchmark::DoNotOptimize(wr.data());
        benchmark::ClobberMemory();
        up = !up;
    }
}
BENCHMARK(BM_SweepTick)
    ->ArgNames({"m", "n", "r"})
    ->ArgsProduct({{64}, {784}, {8, 32}})
    ->ArgsProduct({{1000}, {2000}, {8, 500}})
    ->Unit(benchmark::kMicrosecond);

// r -> ‖W − W_r‖_F, relative error, energy
void BM_Error(benchmark::State& state) {
    const TruncatedSvd& svd = cachedSvd(arg(state, 0), arg(state, 1));
    const int r = arg(state, 2);
    for (auto _ : state) {
        ApproximationError e = svd.error(r);
        benchmark::DoNotOptimize(e);
    }
}
BENCHMARK(BM_Error)->ArgNames({"m", "n", "r"})->Args({64, 784, 8})->Args({1000, 2000, 500});

} // namespace
