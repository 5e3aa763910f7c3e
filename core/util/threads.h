#pragma once
// How many cores the numeric kernels may use. One thread (the default) gives bit-identical
// results run after run; more threads split Eigen's large GEMMs and the optimiser's pass.
// Without OpenMP in the build every call is a no-op and computeThreads() stays 1.

namespace lora {

bool threadingAvailable();
int computeThreads();
void setComputeThreads(int threads); // InputError unless 1 ≤ threads ≤ 256
int hardwareThreads();

} // namespace lora
