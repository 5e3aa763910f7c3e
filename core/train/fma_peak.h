#pragma once
// One core's single-precision multiply-add peak, measured: a loop of independent FMAs at the
// widest vectors the CPU has (AVX-512, else AVX2+FMA, else SSE), whatever the build targets.
// The yardstick for "the step runs at x % of the machine": measured in the same run as the
// step, since a shared machine's clock moves from minute to minute.

namespace lora {

struct FmaPeak {
    double gflops = 0;  // best of the timed runs
    int vectorBits = 0; // 512, 256 or 128
};

// Runs for about `seconds` (InputError unless 0 < seconds ≤ 3600) on the calling thread.
FmaPeak measureFmaPeak(double seconds);

} // namespace lora
