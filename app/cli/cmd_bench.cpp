// lora-cli bench: training / evaluation throughput on synthetic data, the core's sgemm rate or
// one core's FMA peak, as one JSON line for tests/bench/compare_training.py.
#include "cli/common.h"
#include "nn/blas.h"
#include "train/benchmark.h"
#include "train/fma_peak.h"
#include "util/threads.h"

#include <fstream>

namespace lora::cli {

namespace {

// The "model name" line of /proc/cpuinfo, so a saved result says what it ran on.
std::string cpuModel() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("model name", 0) == 0) {
            const auto colon = line.find(':');
            return colon == std::string::npos ? line : line.substr(colon + 2);
        }
    return "unknown";
}

} // namespace

int runBench(const Args& args) {
    const std::string mode = args.text("mode", "full");
    const int threads = static_cast<int>(args.integer("threads", 1, 1, 256));
    const double seconds = args.number("seconds", 2.0f);
    const GemmBackend backend = gemmBackendFromString(args.text("gemm", "auto"));
    setGemmBackend(backend);
    const BlasInfo& blas = blasInfo();
    Json out = {
        {"command", "bench"},
        {"mode", mode},
        {"threads", threads},
        {"openmp", threadingAvailable()},
        {"cpu", cpuModel()},
        {"gemm", toString(backend)},
        {"blas", blas.name},
        {"blas_core", blas.core},
        {"blas_used", backend == GemmBackend::Auto ? blas.used : backend == GemmBackend::Blas},
        {"blas_vector_bits", blas.blasVectorBits},
        {"eigen_vector_bits", blas.eigenVectorBits}};

    if (mode == "peak") {
        const FmaPeak peak = measureFmaPeak(seconds);
        out["gflops"] = peak.gflops;
        out["vector_bits"] = peak.vectorBits;
        printResult(out);
        return 0;
    }
    if (mode == "sgemm") {
        const int n = static_cast<int>(args.integer("size", 1024, 1, kMaxSgemmSize));
        setComputeThreads(threads);
        const double gflops = sgemmGflops(n, seconds);
        out["size"] = n;
        out["gflops"] = gflops;
        out["step_ms_median"] = 2.0 * n * n * static_cast<double>(n) / gflops / 1e6;
        printResult(out);
        return 0;
    }

    BenchOptions options;
    options.arch = args.text("arch", options.arch);
    options.batch = static_cast<int>(args.integer("batch", options.batch, 1, 1 << 16));
    options.mode = benchModeFromString(mode);
    options.rank = rankFrom(args, options.rank);
    options.alpha = args.number("alpha", options.alpha);
    options.seconds = seconds;
    options.threads = threads;
    options.evalSamples =
        static_cast<int>(args.integer("samples", options.evalSamples, 1, 1 << 20));
    options.seed = args.seed("seed");
    const BenchResult r = runBenchmark(options);

    out["arch"] = options.arch;
    out["batch"] = options.batch;
    if (options.mode == BenchMode::Lora) out["rank"] = options.rank;
    if (options.mode == BenchMode::Eval) out["samples"] = options.evalSamples;
    out["trainable_params"] = r.trainableParams;
    out["steps"] = r.steps;
    out["step_ms_median"] = r.stepMsMedian;
    out["step_ms_min"] = r.stepMsMin;
    out["samples_per_s"] = r.samplesPerSecond;
    out["flops_per_step"] = r.flopsPerStep;
    out["gflops"] = r.gflops;
    printResult(out);
    return 0;
}

} // namespace lora::cli
