// TrainingStep: after the first batch of the largest size a step allocates nothing (malloc is
// interposed and counted), a short batch after a long one computes exactly what a fresh
// model would, and two threads agree with one to float rounding while one thread is
// bit-deterministic.
#include "random_matrix.h"
#include "train/training_step.h"
#include "util/threads.h"

#include <QtTest>
#include <atomic>
#include <cstdlib>
#include <cstring>

using namespace lora;

// Count every heap allocation the process makes while g_counting is set. glibc's own entry
// points stay reachable as __libc_*. (Sanitizer builds bring their own allocator: skipped.)
#if !defined(__SANITIZE_ADDRESS__) && !defined(LORA_SANITIZED) // clang 14 lacks the former
#define LORA_COUNT_MALLOC 1
namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};
void noteAllocation() {
    if (g_counting.load(std::memory_order_relaxed))
        g_allocations.fetch_add(1, std::memory_order_relaxed);
}
} // namespace
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void* malloc(std::size_t n) {
    noteAllocation();
    return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
    noteAllocation();
    return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
    noteAllocation();
    return __libc_realloc(p, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
    noteAllocation();
    *out = __libc_memalign(alignment, n);
    return *out ? 0 : ENOMEM;
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
    noteAllocation();
    return __libc_memalign(alignment, n);
}
}
#endif

namespace {

struct Batches {
    Matrix x;
    std::vector<int> y;
};

Batches synthetic(int rows, int features, int classes, std::uint64_t seed) {
    Batches b{lora::test::uniformMatrix(rows, features, seed), std::vector<int>(rows)};
    Rng rng(seed + 1);
    for (int& label : b.y) label = static_cast<int>(rng.below(classes));
    return b;
}

Mlp makeModel(const QString& arch, bool lora, std::uint64_t seed = 0) {
    Mlp net(arch.toStdString());
    Rng rng(seed);
    net.initDefault(rng);
    if (lora) {
        LoraConfig config;
        config.spec.rank = 4;
        config.spec.alpha = 8;
        net.attachLora(config, rng);
    }
    return net;
}

std::vector<float> flatWeights(Mlp& net) {
    std::vector<float> all;
    for (int i = 0; i < net.layerCount(); ++i) {
        const Linear& l = net.layer(i);
        all.insert(all.end(), l.W.data(), l.W.data() + l.W.size());
        all.insert(all.end(), l.b.data(), l.b.data() + l.b.size());
        if (const LoraLinear* a = net.adapter(i)) {
            all.insert(all.end(), a->A.data(), a->A.data() + a->A.size());
            all.insert(all.end(), a->B.data(), a->B.data() + a->B.size());
        }
    }
    return all;
}

// Plain SGD: Adam's m/√v would blow float-rounding differences up to a step of ±lr.
std::vector<float> trainSteps(const QString& arch, bool lora, int threads, int steps) {
    setComputeThreads(threads);
    Mlp net = makeModel(arch, lora);
    const Batches data = synthetic(64, net.inputs(), net.outputs(), 7);
    TrainingStep step(net, "sgd", 0.05f, 64);
    for (int i = 0; i < steps; ++i) step.run(data.x, data.y);
    setComputeThreads(1);
    return flatWeights(net);
}

} // namespace

class TestTrainingStep : public QObject {
    Q_OBJECT
private slots:
    void noAllocationAfterWarmUp_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<bool>("lora");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("threads");
        QTest::newRow("seed000 full b64") << "784-64-2" << false << 64 << 1;
        QTest::newRow("seed000 lora b64") << "784-64-2" << true << 64 << 1;
        QTest::newRow("deep full b10") << "784-300-200-10" << false << 10 << 1;
        QTest::newRow("deep lora b64") << "784-300-200-10" << true << 64 << 1;
        QTest::newRow("deep lora b64 2 threads") << "784-300-200-10" << true << 64 << 2;
        QTest::newRow("seed001 net full b10") << "784-1000-2000-10" << false << 10 << 1;
        QTest::newRow("seed001 net lora b64 2 threads") << "784-1000-2000-10" << true << 64 << 2;
    }
    void noAllocationAfterWarmUp() {
#ifndef LORA_COUNT_MALLOC
        QSKIP("allocation counting is off under sanitizers");
#else
        QFETCH(QString, arch);
        QFETCH(bool, lora);
        QFETCH(int, batch);
        QFETCH(int, threads);
        setComputeThreads(threads);
        Mlp net = makeModel(arch, lora);
        const Batches data = synthetic(batch, net.inputs(), net.outputs(), 3);
        const int shortRows = batch / 2 + 1; // an epoch's last, shorter batch
        TrainingStep step(net, "adam", 1e-3f, batch);
        step.run(data.x, data.y); // the first step may set up thread pools
        g_allocations = 0;
        g_counting = true;
        for (int i = 0; i < 5; ++i) {
            step.run(data.x, data.y);
            step.run(data.x.topRows(shortRows), std::span<const int>(data.y).first(shortRows));
        }
        g_counting = false;
        setComputeThreads(1);
        QCOMPARE(g_allocations.load(), 0L);
#endif
    }

    void shortBatchAfterLongMatchesFreshModel() {
        Mlp used = makeModel("784-64-32-2", true);
        Mlp fresh = used;
        const Batches data = synthetic(64, 784, 2, 5);
        (void)used.forward(data.x); // fills the whole 64-row workspace
        const Matrix a = used.forward(data.x.topRows(9));
        const Matrix b = fresh.forward(data.x.topRows(9));
        QCOMPARE(a.rows(), 9);
        QVERIFY(std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0);
    }

    void nonFiniteLossLeavesWeightsUntouched() {
        Mlp net = makeModel("10-8-3", false);
        Batches data = synthetic(4, 10, 3, 1);
        data.x(0, 0) = std::numeric_limits<float>::infinity();
        const std::vector<float> before = flatWeights(net);
        TrainingStep step(net, "adam", 1e-3f, 4);
        QVERIFY(!std::isfinite(step.run(data.x, data.y)));
        QVERIFY(flatWeights(net) == before);
    }

    void oneThreadIsBitDeterministic() {
        const auto a = trainSteps("784-128-64-10", true, 1, 20);
        const auto b = trainSteps("784-128-64-10", true, 1, 20);
        QVERIFY(a == b);
    }

    void twoThreadsAgreeWithOne_data() {
        QTest::addColumn<bool>("lora");
        QTest::newRow("full") << false;
        QTest::newRow("lora") << true;
    }
    void twoThreadsAgreeWithOne() {
        if (!threadingAvailable()) QSKIP("built without OpenMP");
        QFETCH(bool, lora);
        const auto one = trainSteps("784-512-256-10", lora, 1, 10);
        const auto two = trainSteps("784-512-256-10", lora, 2, 10);
        QCOMPARE(one.size(), two.size());
        float worst = 0;
        for (std::size_t i = 0; i < one.size(); ++i)
            worst = std::max(worst, std::abs(one[i] - two[i]));
        QVERIFY2(worst < 1e-4f, qPrintable(QString("largest difference %1").arg(worst)));
    }
};

QTEST_GUILESS_MAIN(TestTrainingStep)
#include "tst_training_step.moc"
