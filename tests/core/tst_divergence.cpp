// Divergence: when the loss or an update turns NaN/Inf, training stops at once, the message
// names the step and the loss, and the weights are bit for bit those of a run that simply
// stopped one step earlier — for a NaN loss (the update is skipped) and for an overflowing
// update (the trainer rewinds to its epoch checkpoint and replays).
#include "data/idx.h"
#include "same_bits.h"
#include "seed_base.h"
#include "train/trainer.h"

#include <QtTest>
#include <cmath>
#include <functional>

using namespace lora;

namespace {

// Three tiny blobs in 10 dimensions (scale `spread`), row `hugeRow` (if ≥ 0) set to 1e37:
// its logits stay finite, but lr · gradient overflows to Inf in the update.
Dataset blobs(int n, float spread, int hugeRow = -1) {
    Rng rng(3);
    Dataset d;
    d.numClasses = 3;
    d.images.resize(n, 10);
    d.labels.resize(n);
    for (int i = 0; i < n; ++i) {
        d.labels[i] = i % 3;
        for (int j = 0; j < 10; ++j)
            d.images(i, j) = spread * (rng.normal() + (j % 3 == i % 3 ? 2.0f : 0.0f));
    }
    if (hugeRow >= 0) d.images.row(hugeRow).setConstant(1e37f);
    return d;
}

struct Case {
    std::function<Mlp()> model;
    Dataset train;
    TrainOptions options;
};

Mlp initialised(const char* arch) {
    Mlp net(arch);
    Rng rng(1);
    net.initDefault(rng);
    return net;
}

Case makeCase(const QString& name) {
    TrainOptions o;
    o.optimizer = "sgd";
    o.learningRate = 10.0f;
    o.validateEachEpoch = false;
    if (name == "seed000 LoRA") { // the tutorial's adapter at lr 10: the loss becomes NaN
        static const Mlp base = test::trainedSeedBase();
        o.epochs = 5;
        auto model = [] {
            Mlp m = base;
            Rng rng(7);
            m.attachLora({{4, 1.0f}, {}}, rng);
            return m;
        };
        return {model, filterClassesRemap(loadEmbeddedMnist().train, {7, 8}), o};
    }
    if (name == "RichBoyNet") { // 784-1000-2000-10 on all digits: the loss becomes NaN
        o.epochs = 1;
        o.maxSteps = 40;
        return {[] { return initialised("784-1000-2000-10"); }, loadEmbeddedMnist().train, o};
    }
    if (name == "update overflows mid-epoch") {
        o.learningRate = 100.0f;
        o.batchSize = 1;
        o.seed = 5;
        return {[] { return initialised("10-3"); }, blobs(300, 1e-20f, 150), o};
    }
    // "first update overflows": lr 3e38 sends step 1's update to Inf; step 0 is the init.
    o.learningRate = 3e38f;
    o.batchSize = 16;
    return {[] { return initialised("10-8-3"); }, blobs(96, 4.0f), o};
}

bool allFinite(const Mlp& m) {
    for (int i = 0; i < m.layerCount(); ++i) {
        if (!m.layer(i).W.allFinite() || !m.layer(i).b.allFinite()) return false;
        if (const LoraLinear* a = m.adapter(i); a && (!a->A.allFinite() || !a->B.allFinite()))
            return false;
    }
    return true;
}

} // namespace

class TestDivergence : public QObject {
    Q_OBJECT
private slots:
    void stopsAndRestoresTheLastFiniteWeights_data() {
        QTest::addColumn<long>("step");
        QTest::addColumn<QString>("message");
        QTest::newRow("seed000 LoRA")
            << 6L << "diverged at step 6 (loss = nan); weights restored to step 5";
        QTest::newRow("RichBoyNet")
            << 7L << "diverged at step 7 (loss = nan); weights restored to step 6";
        QTest::newRow("update overflows mid-epoch")
            << 269L << "diverged at step 269 (loss = 2.593e+36); weights restored to step 268";
        QTest::newRow("first update overflows")
            << 1L << "diverged at step 1 (loss = 1.16); weights restored to step 0";
    }
    void stopsAndRestoresTheLastFiniteWeights() {
        QFETCH(long, step);
        QFETCH(QString, message);
        const Case c = makeCase(QString::fromLatin1(QTest::currentDataTag()));

        Mlp diverging = c.model();
        const TrainResult r = Trainer(diverging, c.options).run(c.train, nullptr);
        QVERIFY(r.diverged);
        QCOMPARE(QString::fromStdString(divergenceMessage(r)), message);
        QCOMPARE(r.divergedAtStep, step);
        QCOMPARE(r.steps, step - 1);
        QCOMPARE(long(r.stepLosses.size()), step - 1);
        QVERIFY(allFinite(diverging));

        // The reference stopped one step earlier by itself (or never trained, for step 1).
        Mlp reference = c.model();
        if (step > 1) {
            TrainOptions shorter = c.options;
            shorter.maxSteps = step - 1;
            const TrainResult s = Trainer(reference, shorter).run(c.train, nullptr);
            QVERIFY(!s.diverged);
            QCOMPARE(s.stepLosses, r.stepLosses);
        }
        QVERIFY(test::sameBits(diverging, reference));
    }

    // Adam's step is bounded by lr whatever the gradient, so lr 10 makes a poor network but
    // no NaN: nothing to stop.
    void adamAtLearningRate10StaysFinite() {
        Case c = makeCase("seed000 LoRA");
        c.options.optimizer = "adam";
        c.options.epochs = 1;
        Mlp m = c.model();
        const TrainResult r = Trainer(m, c.options).run(c.train, nullptr);
        QVERIFY(!r.diverged);
        QCOMPARE(r.steps, 26L);
        QVERIFY(allFinite(m));
    }
};

QTEST_APPLESS_MAIN(TestDivergence)
#include "tst_divergence.moc"
