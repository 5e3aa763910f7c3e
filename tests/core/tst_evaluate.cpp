// evaluate and evaluateParallel: the parallel pass gives the serial pass's Evaluation bit for
// bit (logits, predictions, loss, counts) whatever the thread count and however the last
// batch falls, with and without an adapter; both refuse the same bad inputs with the same
// one-line error and leave nothing half-filled behind.
#include "train/evaluate.h"

#include "util/error.h"
#include "util/rng.h"

#include <QtTest>
#include <cstring>

using namespace lora;

namespace {

// A 3-class task on random 20-pixel "images" and an MLP whose predictions are mixed.
Dataset randomData(int n, std::uint64_t seed) {
    Dataset d;
    d.numClasses = 3;
    Rng rng(seed);
    d.images.resize(n, 20);
    for (Eigen::Index i = 0; i < d.images.size(); ++i) d.images.data()[i] = rng.normal();
    for (int i = 0; i < n; ++i) d.labels.push_back(static_cast<int>(rng.uniform() * 3.0f));
    return d;
}

Mlp randomModel(bool adapter) {
    Mlp model("20-16-12-3");
    Rng rng(7);
    model.initDefault(rng);
    if (adapter) {
        model.attachLora(LoraConfig(LoraSpec{2, 4.0f}), rng);
        for (int i = 0; i < model.layerCount(); ++i)
            model.adapter(i)->B.setConstant(0.05f * static_cast<float>(i + 1));
    }
    return model;
}

bool sameBits(const Matrix& a, const Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

} // namespace

class TestEvaluate : public QObject {
    Q_OBJECT
private slots:
    void parallelEqualsSerial_data() {
        QTest::addColumn<int>("samples");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("threads");
        QTest::addColumn<bool>("adapter");
        QTest::newRow("one thread") << 103 << 10 << 1 << false;
        QTest::newRow("two threads, short last batch") << 103 << 10 << 2 << true;
        QTest::newRow("three threads") << 250 << 7 << 3 << true;
        QTest::newRow("more threads than batches") << 30 << 10 << 8 << false;
        QTest::newRow("one batch") << 9 << 500 << 2 << true;
    }
    void parallelEqualsSerial() {
        QFETCH(int, samples);
        QFETCH(int, batch);
        QFETCH(int, threads);
        QFETCH(bool, adapter);
        const Dataset data = randomData(samples, 3);
        Mlp serialModel = randomModel(adapter);
        const Evaluation serial = evaluate(serialModel, data, true, batch);
        const Evaluation parallel =
            evaluateParallel(randomModel(adapter), data, threads, true, batch);
        QVERIFY(serial.correct > 0 &&
                serial.correct < samples); // a mix, so the counts say something
        QVERIFY(sameBits(parallel.logits, serial.logits));
        QCOMPARE(parallel.predictions, serial.predictions);
        QVERIFY(parallel.loss == serial.loss); // exactly: QCOMPARE on floats is fuzzy
        QVERIFY(parallel.accuracy == serial.accuracy);
        QCOMPARE(parallel.correct, serial.correct);
        QCOMPARE(parallel.total, samples);
        QCOMPARE(parallel.confusion, serial.confusion);
        QCOMPARE(parallel.errorsPerClass, serial.errorsPerClass);
        const Evaluation noLogits =
            evaluateParallel(randomModel(adapter), data, threads, false, batch);
        QCOMPARE(noLogits.logits.size(), Eigen::Index(0));
        QCOMPARE(noLogits.predictions, serial.predictions);
    }

    // The counts against a hand check: the confusion row sums are the class sizes and the
    // diagonal is what `correct` counts.
    void countsAddUp() {
        const Dataset data = randomData(61, 5);
        const Evaluation ev = evaluateParallel(randomModel(true), data, 2, false, 8);
        int diagonal = 0, errors = 0;
        for (int c = 0; c < 3; ++c) {
            int row = 0;
            for (int p = 0; p < 3; ++p) row += ev.confusion[c][p];
            QCOMPARE(row, static_cast<int>(std::count(data.labels.begin(), data.labels.end(), c)));
            diagonal += ev.confusion[c][c];
            errors += ev.errorsPerClass[c];
        }
        QCOMPARE(diagonal, ev.correct);
        QCOMPARE(errors, ev.total - ev.correct);
        QCOMPARE(ev.accuracy, 100.0f * static_cast<float>(ev.correct) / 61.0f);
    }

    void refusals_data() {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << "empty"
                               << "no samples to evaluate on";
        QTest::newRow("features") << "features"
                                  << "data has 21 features but the model takes 20";
        QTest::newRow("label") << "label"
                               << "label 3 is outside the model's 3 outputs";
    }
    void refusals() {
        QFETCH(QString, problem);
        QFETCH(QString, message);
        Dataset data = randomData(40, 9);
        if (problem == "empty") data = Dataset{};
        if (problem == "features") data.images.conservativeResize(Eigen::NoChange, 21);
        if (problem == "label") data.labels[37] = 3; // in the last batch
        for (int threads : {1, 2}) {
            try {
                if (threads == 1) {
                    Mlp model = randomModel(false);
                    (void)evaluate(model, data, false, 10);
                } else {
                    (void)evaluateParallel(randomModel(false), data, threads, false, 10);
                }
                QFAIL("accepted bad input");
            } catch (const InputError& e) {
                QVERIFY2(QString(e.what()).contains(message), e.what());
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestEvaluate)
#include "tst_evaluate.moc"
