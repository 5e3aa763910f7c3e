#include "train/benchmark.h"

#include "data/dataset.h"
#include "nn/architecture.h"
#include "nn/gemm.h"
#include "nn/model_budget.h"
#include "train/evaluate.h"
#include "train/training_step.h"
#include "util/error.h"
#include "util/rng.h"
#include "util/threads.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace lora {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Runs `once` to warm caches and workspaces, then times it until `seconds` have passed since
// the start, warm-up included (at least one timed run): `bench --seconds S` ends after about S
// plus one run, and the model budget keeps one run to a few seconds.
template <typename F> std::vector<double> timeRepeatedly(F&& once, double seconds) {
    const auto start = Clock::now();
    for (int i = 0; i < 3 && (i == 0 || secondsSince(start) < seconds / 4); ++i) once(i);
    std::vector<double> times;
    for (int i = 0; times.empty() || secondsSince(start) < seconds; ++i) {
        const auto t0 = Clock::now();
        once(i);
        times.push_back(secondsSince(t0));
    }
    return times;
}

double median(std::vector<double> v) {
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

double layerGemm(int batch, int in, int out) {
    return 2.0 * batch * static_cast<double>(in) * out;
}

} // namespace

void checkBenchSeconds(double seconds) {
    if (!(seconds > 0) || !std::isfinite(seconds) || seconds > 3600)
        throw InputError("seconds must be a positive number up to 3600");
}

BenchMode benchModeFromString(const std::string& s) {
    if (s == "full") return BenchMode::Full;
    if (s == "lora") return BenchMode::Lora;
    if (s == "eval") return BenchMode::Eval;
    throw InputError("unknown bench mode '" + s + "' (use full, lora, eval, sgemm or peak)");
}

const char* toString(BenchMode mode) {
    switch (mode) {
    case BenchMode::Full:
        return "full";
    case BenchMode::Lora:
        return "lora";
    case BenchMode::Eval:
        return "eval";
    }
    return "?";
}

void BenchOptions::validate() const {
    if (batch < 1) throw InputError("batch size must be at least 1");
    checkBenchSeconds(seconds);
    if (evalSamples < 1) throw InputError("eval samples must be at least 1");
    if (mode == BenchMode::Lora) LoraSpec{rank, alpha}.validate();
}

double forwardFlops(const Mlp& model, int batch) {
    double flops = 0;
    for (int i = 0; i < model.layerCount(); ++i) {
        const Linear& l = model.layer(i);
        flops += layerGemm(batch, l.in(), l.out());
        if (const LoraLinear* a = model.adapter(i); a && a->enabled && !a->merged())
            flops += layerGemm(batch, l.in(), a->rank()) + layerGemm(batch, a->rank(), l.out());
    }
    return flops;
}

double trainingStepFlops(const Mlp& model, int batch) {
    double flops = forwardFlops(model, batch);
    for (int i = 0; i < model.layerCount(); ++i) {
        const Linear& l = model.layer(i);
        const bool wantDx = i > 0;
        if (!l.frozen()) flops += layerGemm(batch, l.in(), l.out()); // dW
        if (wantDx) flops += layerGemm(batch, l.in(), l.out());      // dX through W
        if (const LoraLinear* a = model.adapter(i); a && a->enabled && !a->merged()) {
            const int r = a->rank();
            flops += 2 * layerGemm(batch, r, l.out());        // dB and dh = dy B
            flops += layerGemm(batch, r, l.in());             // dA
            if (wantDx) flops += layerGemm(batch, r, l.in()); // dX += dh A
        }
    }
    return flops;
}

BenchResult runBenchmark(const BenchOptions& options) {
    options.validate();
    const std::vector<int> widths = parseArchitecture(options.arch);
    checkModelBudget(widths, options.batch);
    // Eval holds its images whole (evaluate() then runs in batches): samples × inputs values.
    if (options.mode == BenchMode::Eval &&
        static_cast<long long>(options.evalSamples) * widths.front() > kMaxActivations)
        throw InputError(std::to_string(options.evalSamples) + " samples of " +
                         std::to_string(widths.front()) + " inputs exceed the budget of " +
                         std::to_string(kMaxActivations) + " values; use fewer");
    setComputeThreads(options.threads);
    Mlp model(widths);
    Rng rng(options.seed);
    model.initDefault(rng);
    if (options.mode == BenchMode::Lora) {
        LoraConfig config;
        config.spec.rank = options.rank;
        config.spec.alpha = options.alpha;
        model.attachLora(config, rng);
    }

    // Synthetic data: pixels uniform in [0, 1), labels uniform over the outputs.
    // 16 batches to cycle through, fewer when they would not fit the activation budget.
    const long long pool = std::clamp<long long>(
        kMaxActivations / (static_cast<long long>(options.batch) * model.inputs()), 1, 16);
    const int rows = options.mode == BenchMode::Eval ? options.evalSamples
                                                     : static_cast<int>(pool * options.batch);
    Dataset data;
    data.numClasses = model.outputs();
    data.images.resize(rows, model.inputs());
    for (Eigen::Index i = 0; i < data.images.size(); ++i) data.images.data()[i] = rng.uniform();
    data.labels.resize(rows);
    for (int& y : data.labels) y = static_cast<int>(rng.below(model.outputs()));

    BenchResult result;
    result.trainableParams = model.trainableParamCount();
    std::vector<double> times;
    int samplesPerStep = options.batch;
    if (options.mode == BenchMode::Eval) {
        samplesPerStep = options.evalSamples;
        result.flopsPerStep = forwardFlops(model, options.evalSamples);
        times = timeRepeatedly([&](int) { (void)evaluate(model, data); }, options.seconds);
    } else {
        result.flopsPerStep = trainingStepFlops(model, options.batch);
        // A small learning rate keeps 16 repeated random batches from driving the loss to
        // NaN over a long run; the work per step does not depend on it.
        TrainingStep step(model, "adam", 1e-4f, options.batch);
        const int pool = rows / options.batch;
        times = timeRepeatedly(
            [&](int i) {
                const int start = (i % pool) * options.batch;
                (void)step.run(data.images.middleRows(start, options.batch),
                               std::span<const int>(data.labels.data() + start, options.batch));
            },
            options.seconds);
    }
    result.steps = static_cast<long>(times.size());
    const double med = median(times);
    result.stepMsMedian = med * 1e3;
    result.stepMsMin = *std::min_element(times.begin(), times.end()) * 1e3;
    result.samplesPerSecond = samplesPerStep / med;
    result.gflops = result.flopsPerStep / med / 1e9;
    return result;
}

double sgemmGflops(int n, double seconds) {
    if (n < 1 || n > kMaxSgemmSize)
        throw InputError("sgemm size must be between 1 and " + std::to_string(kMaxSgemmSize));
    checkBenchSeconds(seconds);
    Rng rng(1);
    Matrix a(n, n), b(n, n), c(n, n);
    for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = rng.uniform(-1, 1);
    for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] = rng.uniform(-1, 1);
    const std::vector<double> times =
        timeRepeatedly([&](int) { gemm(c, a, Op::None, b, Op::None); }, seconds);
    return 2.0 * n * static_cast<double>(n) * n / median(times) / 1e9;
}

} // namespace lora
