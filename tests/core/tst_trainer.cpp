// Trainer on small synthetic data: it learns, it is bit-deterministic, it honours the stop
// token and max steps, it reports progress, and LoRA training leaves the base untouched.
#include "data/idx.h"
#include "error_of.h"
#include "gradcheck.h"
#include "same_bits.h"
#include "train/evaluate.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/threads.h"

#include <QtTest>
#include <cstring>

using namespace lora;

namespace {

// Three Gaussian blobs in 10 dimensions.
Dataset blobs(int n, std::uint64_t seed) {
    Rng rng(seed);
    Dataset d;
    d.numClasses = 3;
    d.images.resize(n, 10);
    d.labels.resize(n);
    for (int i = 0; i < n; ++i) {
        const int c = i % 3;
        d.labels[i] = c;
        for (int j = 0; j < 10; ++j) d.images(i, j) = rng.normal() + (j % 3 == c ? 2.0f : 0.0f);
    }
    return d;
}

struct Recorder : ProgressObserver {
    int steps = 0, epochs = 0;
    void onStep(const StepProgress&) override { ++steps; }
    void onEpoch(const EpochProgress&) override { ++epochs; }
};

struct StopAfter : ProgressObserver {
    std::stop_source& source;
    int limit, seen = 0;
    StopAfter(std::stop_source& s, int n) : source(s), limit(n) {}
    void onStep(const StepProgress&) override {
        if (++seen == limit) source.request_stop();
    }
};

// Seed 000 end to end on the embedded digits: base 784-64-2 on 3-vs-4, then a rank-4 adapter
// on fc1,fc2 for 7-vs-8. Returns every step loss of both runs; `net` ends as the adapted model.
std::vector<float> seed000Run(Mlp& net) {
    const SplitData& mnist = loadEmbeddedMnist();
    Rng rng(0);
    net.initDefault(rng);
    TrainOptions options;
    options.seed = 1;
    std::vector<float> losses =
        Trainer(net, options).run(filterClassesRemap(mnist.train, {3, 4}), nullptr).stepLosses;
    net.attachLora({{4, 1.0f, false, LoraInit::Kaiming}, {"fc1", "fc2"}}, rng);
    options.epochs = 2;
    const Dataset valid = filterClassesRemap(mnist.test, {7, 8});
    const TrainResult lora =
        Trainer(net, options).run(filterClassesRemap(mnist.train, {7, 8}), &valid);
    losses.insert(losses.end(), lora.stepLosses.begin(), lora.stepLosses.end());
    for (const EpochProgress& e : lora.epochs) losses.push_back(e.validLoss);
    return losses;
}

TrainResult trainOnce(Mlp& net, const Dataset& train, const TrainOptions& options) {
    Rng rng(1);
    net.initDefault(rng);
    return Trainer(net, options).run(train, nullptr);
}

} // namespace

using lora::test::qErrorOf;

class TestTrainer : public QObject {
    Q_OBJECT
private slots:
    void learnsBlobs() {
        const Dataset train = blobs(600, 1), test = blobs(300, 2);
        Mlp net("10-16-3");
        Rng rng(0);
        net.initDefault(rng);
        const float before = evaluate(net, test).accuracy;
        Recorder rec;
        TrainOptions options;
        options.epochs = 3;
        options.batchSize = 32;
        const TrainResult r = Trainer(net, options).run(train, &test, &rec);
        QCOMPARE(rec.epochs, 3);
        QCOMPARE(rec.steps, 3 * 19); // ceil(600/32) = 19 batches per epoch
        QCOMPARE(r.steps, 57L);
        QVERIFY(r.epochs.back().validAccuracy > 95.0f);
        QVERIFY(r.epochs.back().validAccuracy > before);
        QVERIFY(r.samplesPerSecond > 0);
    }

    void sameSeedIsBitIdentical() {
        const Dataset train = blobs(300, 3);
        TrainOptions options;
        options.epochs = 2;
        options.seed = 17;
        Mlp a("10-8-3"), b("10-8-3");
        const TrainResult ra = trainOnce(a, train, options), rb = trainOnce(b, train, options);
        QCOMPARE(ra.stepLosses.size(), rb.stepLosses.size());
        QVERIFY(std::memcmp(ra.stepLosses.data(), rb.stepLosses.data(), 4 * ra.stepLosses.size()) ==
                0);
        QVERIFY(std::memcmp(a.layer(0).W.data(), b.layer(0).W.data(), 4 * a.layer(0).W.size()) ==
                0);
        options.seed = 18; // a different shuffle gives a different path
        Mlp c("10-8-3");
        const TrainResult rc = trainOnce(c, train, options);
        QVERIFY(std::memcmp(ra.stepLosses.data(), rc.stepLosses.data(), 4 * ra.stepLosses.size()) !=
                0);
    }

    // The real experiment, not a toy: two runs of seed 000 (base, then LoRA) agree in every
    // step loss, validation loss, base weight and adapter bit for bit.
    void seed000IsBitIdenticalAcrossRuns() {
        const int threads = computeThreads();
        setComputeThreads(1);
        Mlp a("784-64-2"), b("784-64-2");
        const std::vector<float> la = seed000Run(a), lb = seed000Run(b);
        setComputeThreads(threads);
        QCOMPARE(la.size(), std::size_t{26 + 2 * 26 + 2}); // 1610 and 1612 digits, batch 64
        QVERIFY(std::memcmp(la.data(), lb.data(), sizeof(float) * la.size()) == 0);
        QVERIFY(test::sameBits(a, b));
        QVERIFY(a.hasLora());
        QVERIFY(a.adapter(0)->B.cwiseAbs().maxCoeff() > 0); // it did train
    }

    void stopTokenEndsBetweenBatches() {
        const Dataset train = blobs(640, 4);
        Mlp net("10-8-3");
        Rng rng(0);
        net.initDefault(rng);
        std::stop_source source;
        StopAfter stopper(source, 5);
        TrainOptions options;
        options.epochs = 10;
        const TrainResult r =
            Trainer(net, options).run(train, nullptr, &stopper, source.get_token());
        QVERIFY(r.stopped);
        QCOMPARE(r.steps, 5L);
    }

    void maxStepsLimitsBatches() {
        const Dataset train = blobs(300, 5);
        Mlp net("10-8-3");
        TrainOptions options;
        options.epochs = 100;
        options.batchSize = 10;
        options.maxSteps = 100;
        const TrainResult r = trainOnce(net, train, options);
        QCOMPARE(r.steps, 100L);
        QCOMPARE(int(r.epochs.size()), 4); // 30 batches per epoch: 30+30+30+10
    }

    void loraTrainingLeavesTheBaseBitIdentical() {
        const Dataset train = blobs(300, 6);
        Mlp net("10-8-3");
        Rng rng(2);
        net.initDefault(rng);
        const Mlp before = net;
        net.attachLora({{2, 4.0f, false, LoraInit::Kaiming}, {}}, rng);
        TrainOptions options;
        options.epochs = 2;
        const TrainResult r = Trainer(net, options).run(train, nullptr);
        QVERIFY(r.steps > 0);
        for (int i = 0; i < net.layerCount(); ++i) {
            QVERIFY(std::memcmp(before.layer(i).W.data(), net.layer(i).W.data(),
                                4 * net.layer(i).W.size()) == 0);
            QVERIFY(std::memcmp(before.layer(i).b.data(), net.layer(i).b.data(),
                                4 * net.layer(i).b.size()) == 0);
            QVERIFY(net.adapter(i)->B.cwiseAbs().maxCoeff() > 0.0f); // the adapter did learn
        }
    }

    void divergenceStopsAtOnce() {
        Dataset train = blobs(90, 7);
        train.images.col(0).setConstant(
            std::numeric_limits<float>::infinity()); // NaN logits at once
        Mlp net("10-8-3");
        TrainOptions options;
        options.learningRate = 10.0f;
        const TrainResult r = trainOnce(net, train, options);
        QVERIFY(r.diverged);
        QCOMPARE(r.steps, 0L);
    }

    // No samples is no accuracy at all, not 0 %; and an empty validation set is skipped.
    void emptySplitIsNotScored() {
        Mlp net("10-16-3");
        Rng rng(0);
        net.initDefault(rng);
        Dataset none;
        none.numClasses = 3;
        none.images.resize(0, 10);
        QCOMPARE(none.size(), 0);
        QCOMPARE(qErrorOf([&] { evaluate(net, none); }),
                 "no samples to evaluate on: the split holds none of the chosen classes");
        TrainOptions options;
        const TrainResult r = Trainer(net, options).run(blobs(30, 5), &none);
        QCOMPARE(int(r.epochs.size()), 1);
    }

    void badOptions_data() {
        QTest::addColumn<int>("epochs");
        QTest::addColumn<int>("batch");
        QTest::addColumn<float>("lr");
        QTest::addColumn<QString>("error");
        QTest::newRow("epochs 0") << 0 << 64 << 0.01f << "epochs must be at least 1";
        QTest::newRow("batch 0") << 1 << 0 << 0.01f << "batch size must be at least 1";
        QTest::newRow("lr 0") << 1 << 64 << 0.0f << "learning rate must be a positive number";
        QTest::newRow("lr nan") << 1 << 64 << std::nanf("")
                                << "learning rate must be a positive number";
    }
    void badOptions() {
        QFETCH(int, epochs);
        QFETCH(int, batch);
        QFETCH(float, lr);
        QFETCH(QString, error);
        TrainOptions options;
        options.epochs = epochs;
        options.batchSize = batch;
        options.learningRate = lr;
        try {
            options.validate();
            QFAIL("expected an error");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), error);
        }
    }
};

QTEST_APPLESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
