// The training step's kernels one at a time, on the seeds' shapes: Linear and LoRA forward
// and backward, bias+ReLU, softmax cross-entropy, Adam over a layer's parameters, and
// gemm() against Eigen's own product operator. Reported as GFLOP/s (GEMM FLOPs only) or
// bytes/s; compare runs side by side, never assert them.
#include "nn/cross_entropy.h"
#include "nn/gemm.h"
#include "nn/lora_linear.h"
#include "nn/optimizer.h"
#include "nn/relu.h"
#include "random_matrix.h"
#include "util/rng.h"
#include "util/threads.h"

#include <benchmark/benchmark.h>

using namespace lora;
using lora::test::uniformMatrix;

namespace {

int arg(const benchmark::State& state, int i) {
    return static_cast<int>(state.range(i));
}

void setFlops(benchmark::State& state, double perIteration) {
    state.counters["GFLOP/s"] =
        benchmark::Counter(perIteration * 1e-9 * state.iterations(), benchmark::Counter::kIsRate);
}

// Shapes: {batch, in, out, threads}: seed 000's fc1 and RichBoyNet's two large layers.
void layerShapes(benchmark::internal::Benchmark* b) {
    for (int threads : {1, 2})
        for (auto [batch, in, out] : {std::tuple{64, 784, 64}, std::tuple{64, 784, 1000},
                                      std::tuple{64, 1000, 2000}, std::tuple{10, 1000, 2000}})
            b->Args({batch, in, out, threads});
    b->ArgNames({"batch", "in", "out", "threads"});
}

struct ThreadScope {
    explicit ThreadScope(int n) { setComputeThreads(n); }
    ~ThreadScope() { setComputeThreads(1); }
};

// x: [batch, in] -> y = ReLU(x Wᵀ + b)
void BM_LinearForward(benchmark::State& state) {
    const ThreadScope threads(arg(state, 3));
    const int batch = arg(state, 0), in = arg(state, 1), out = arg(state, 2);
    Linear layer(in, out);
    Rng rng(1);
    layer.initDefault(rng);
    const Matrix x = uniformMatrix(batch, in, 2);
    Matrix y(batch, out);
    for (auto _ : state) {
        layer.forward(y, x, Activation::Relu);
        benchmark::DoNotOptimize(y.data());
    }
    setFlops(state, 2.0 * batch * in * out);
}
BENCHMARK(BM_LinearForward)->Apply(layerShapes);

// dy: [batch, out] -> dW += dyᵀx, db += Σdy, dx = dy W (a trainable hidden layer)
void BM_LinearBackward(benchmark::State& state) {
    const ThreadScope threads(arg(state, 3));
    const int batch = arg(state, 0), in = arg(state, 1), out = arg(state, 2);
    Linear layer(in, out);
    const Matrix x = uniformMatrix(batch, in, 2), dy = uniformMatrix(batch, out, 3);
    Matrix dx(batch, in);
    for (auto _ : state) {
        layer.backward(dx, dy, x, true);
        benchmark::DoNotOptimize(dx.data());
    }
    setFlops(state, 4.0 * batch * in * out);
}
BENCHMARK(BM_LinearBackward)->Apply(layerShapes);

// LoRA r4 on a frozen layer: forward with ReLU, then backward with dx (two thin GEMMs each
// way plus the frozen W's dx product).
void BM_LoraForwardBackward(benchmark::State& state) {
    const ThreadScope threads(arg(state, 3));
    const int batch = arg(state, 0), in = arg(state, 1), out = arg(state, 2), r = 4;
    Linear base(in, out);
    Rng rng(1);
    base.initDefault(rng);
    base.setFrozen(true);
    LoraLinear lora(base, LoraSpec{r, 8.0f});
    lora.init(rng);
    lora.B = uniformMatrix(out, r, 4); // a trained adapter, not the B = 0 start
    const Matrix x = uniformMatrix(batch, in, 2), dy = uniformMatrix(batch, out, 3);
    Matrix y(batch, out), dx(batch, in);
    for (auto _ : state) {
        lora.forward(y, x, Activation::Relu);
        lora.backward(dx, dy, x, true);
        benchmark::DoNotOptimize(dx.data());
    }
    setFlops(state, 2.0 * batch * in * out * 2 + 2.0 * batch * r * (in + out) * 3);
}
BENCHMARK(BM_LoraForwardBackward)->Apply(layerShapes);

// The same product through gemm() (persistent packing buffers) and Eigen's operator*.
void BM_GemmXWt(benchmark::State& state) {
    const int batch = arg(state, 0), in = arg(state, 1), out = arg(state, 2);
    const Matrix x = uniformMatrix(batch, in, 2), w = uniformMatrix(out, in, 3);
    Matrix y(batch, out);
    for (auto _ : state) {
        gemm(y, x, Op::None, w, Op::Transpose);
        benchmark::DoNotOptimize(y.data());
    }
    setFlops(state, 2.0 * batch * in * out);
}
BENCHMARK(BM_GemmXWt)->Args({64, 784, 1000})->Args({64, 1000, 2000})->Args({10, 1000, 2000});

void BM_EigenXWt(benchmark::State& state) {
    const int batch = arg(state, 0), in = arg(state, 1), out = arg(state, 2);
    const Matrix x = uniformMatrix(batch, in, 2), w = uniformMatrix(out, in, 3);
    Matrix y(batch, out);
    for (auto _ : state) {
        y.noalias() = x * w.transpose();
        benchmark::DoNotOptimize(y.data());
    }
    setFlops(state, 2.0 * batch * in * out);
}
BENCHMARK(BM_EigenXWt)->Args({64, 784, 1000})->Args({64, 1000, 2000})->Args({10, 1000, 2000});

// logits: [batch, 10] -> loss, dlogits
void BM_CrossEntropy(benchmark::State& state) {
    const int batch = arg(state, 0);
    const Matrix logits = uniformMatrix(batch, 10, 5);
    Matrix probs(batch, 10), dlogits(batch, 10);
    std::vector<int> labels(batch);
    for (int i = 0; i < batch; ++i) labels[i] = i % 10;
    for (auto _ : state) {
        benchmark::DoNotOptimize(crossEntropyForward(probs, logits, labels));
        crossEntropyBackward(dlogits, probs, labels);
    }
}
BENCHMARK(BM_CrossEntropy)->Arg(10)->Arg(64);

// One Adam step over n parameters (value, grad, m, v: 16 bytes read, 12 written each).
void BM_AdamStep(benchmark::State& state) {
    const ThreadScope threads(arg(state, 1));
    const std::size_t n = static_cast<std::size_t>(state.range(0));
    std::vector<float> value(n, 0.5f), grad(n, 0.01f);
    Adam adam({{"p", value.data(), grad.data(), n}}, 1e-3f);
    for (auto _ : state) {
        benchmark::DoNotOptimize(adam.step());
        benchmark::DoNotOptimize(value.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 28));
}
// seed 000's LoRA (3,656), seed 000's base (50,370), RichBoyNet (2,807,010)
BENCHMARK(BM_AdamStep)->Args({3656, 1})->Args({50370, 1})->Args({2807010, 1})->Args({2807010, 2});

} // namespace
