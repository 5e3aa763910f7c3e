#pragma once
// Throughput of the training engine on synthetic data, for `lora-cli bench` and the side by
// side comparison with PyTorch in tests/bench/compare_training.py. FLOPs count only the
// matrix products a step really needs (no dW for frozen weights, no dX for the first
// layer, the LoRA path as thin products); element-wise passes are not counted.
#include "nn/mlp.h"

#include <cstdint>
#include <string>

namespace lora {

enum class BenchMode { Full, Lora, Eval };
BenchMode benchModeFromString(const std::string& s); // "full" | "lora" | "eval", else InputError
const char* toString(BenchMode mode);

struct BenchOptions {
    std::string arch = "784-64-2";
    int batch = 64;
    BenchMode mode = BenchMode::Full;
    int rank = 4; // LoRA on every layer, scale alpha / rank
    float alpha = 1.0f;
    double seconds = 2.0; // measuring time after the warm-up
    int threads = 1;
    int evalSamples = 2000; // Eval mode: one pass of evaluate() over this many images
    std::uint64_t seed = 0;

    void validate() const; // InputError naming the first bad field
};

struct BenchResult {
    long steps = 0;          // timed steps (or evaluation passes)
    double stepMsMedian = 0; // per step, or per evaluation pass
    double stepMsMin = 0;
    double samplesPerSecond = 0; // from the median
    double flopsPerStep = 0;
    double gflops = 0; // flopsPerStep / median step time
    std::size_t trainableParams = 0;
};

BenchResult runBenchmark(const BenchOptions& options);

// InputError unless 0 < seconds ≤ 3600: every bench mode's --seconds.
void checkBenchSeconds(double seconds);

// GEMM FLOPs of one training step on a batch of `batch` rows (2 per multiply-add).
double trainingStepFlops(const Mlp& model, int batch);
// GEMM FLOPs of one forward pass on `batch` rows.
double forwardFlops(const Mlp& model, int batch);

// The core's single-precision n×n×n product rate (nn/gemm, so BLAS or Eigen as chosen) at
// the current thread count: the yardstick the training step's GFLOP/s is compared with.
// n ≤ kMaxSgemmSize: one 4096³ product takes about 1.2 s here (8192³ took 10 s).
inline constexpr int kMaxSgemmSize = 4096;
double sgemmGflops(int n, double seconds);

} // namespace lora
