// Forgetting on the embedded digits (seed 000's tasks): a base trained on 3-vs-4, then
// full fine-tuning and LoRA on 7-vs-8. Full fine-tuning loses at least 10 points on 3-vs-4
// while LoRA with its adapter off keeps the base's accuracy exactly, epoch after epoch;
// both learn the new task. The observer hears every epoch of both runs, full first.
#include "data/idx.h"
#include "train/evaluate.h"
#include "train/forgetting.h"

#include "seed_base.h"

#include <QtTest>

using namespace lora;

namespace {

struct Recorder : ForgettingObserver {
    std::vector<std::pair<ForgettingRun, int>> heard;
    void onEpoch(ForgettingRun run, const ForgettingPoint& p) override {
        heard.push_back({run, p.epoch});
    }
};

} // namespace

class TestForgetting : public QObject {
    Q_OBJECT
private:
    Mlp m_base{"784-64-2"};
    ForgettingTasks m_tasks;

private slots:
    void initTestCase() {
        const SplitData& mnist = loadEmbeddedMnist();
        m_tasks = {filterClassesRemap(mnist.train, {7, 8}), filterClassesRemap(mnist.test, {7, 8}),
                   filterClassesRemap(mnist.test, {3, 4})};
        m_base = test::trainedSeedBase();
    }

    void fullForgetsLoraOffDoesNot() {
        TrainOptions options;
        options.epochs = 3;
        options.seed = 1;
        LoraConfig lora{{4, 1.0f}, {}};
        Recorder recorder;
        const ForgettingResult r = measureForgetting(m_base, m_tasks, lora, options, 0, &recorder);
        qInfo("base old %.2f new %.2f", r.baseOld, r.baseNew);
        for (const auto& p : r.series)
            qInfo("epoch %d: full new %.2f old %.2f | LoRA new %.2f on-old %.2f off-old %.2f",
                  p.epoch, p.fullNew, p.fullOld, p.loraNew, p.loraOnOld, p.loraOffOld);

        QVERIFY(r.baseOld > 95.0f);
        QCOMPARE(r.series.size(), std::size_t(4));
        QCOMPARE(r.series.front().fullOld, r.baseOld);
        const ForgettingPoint& last = r.series.back();
        QVERIFY2(last.fullOld <= r.baseOld - 10.0f, qPrintable(QString::number(last.fullOld)));
        for (const auto& p : r.series) QCOMPARE(p.loraOffOld, r.baseOld); // exactly, every epoch
        QVERIFY(last.fullNew > 90.0f);
        QVERIFY(last.loraNew > 90.0f);
        QVERIFY(last.loraNew > r.baseNew + 30.0f);

        const std::vector<std::pair<ForgettingRun, int>> expected = {
            {ForgettingRun::Full, 1}, {ForgettingRun::Full, 2}, {ForgettingRun::Full, 3},
            {ForgettingRun::Lora, 1}, {ForgettingRun::Lora, 2}, {ForgettingRun::Lora, 3}};
        QVERIFY(recorder.heard == expected);

        // The full update of fc1 is far from full rank: its top 4 directions hold most of it.
        QCOMPARE(r.updates.size(), std::size_t(2));
        const LayerUpdate& fc1 = r.updates[0];
        qInfo("fc1: ‖ΔW_full‖ %.3f, top-4 energy %.3f, numerical rank %d, ‖ΔW_LoRA‖ %.3f",
              fc1.full.frobeniusNorm, fc1.energyTopR, fc1.full.numericalRank, fc1.loraNorm);
        QCOMPARE(fc1.loraRank, 4);
        QVERIFY(fc1.energyTopR > 0.5 && fc1.energyTopR < 1.0);
        QVERIFY(fc1.loraNorm > 0);
        const Matrix delta = r.fullModel->layer(0).W - m_base.layer(0).W;
        QVERIFY(std::abs(fc1.full.frobeniusNorm - delta.cast<double>().norm()) <
                1e-6 * fc1.full.frobeniusNorm);
        QCOMPARE(r.updates[1].energyTopR, 1.0); // fc2 has 2 outputs: rank ≤ 2 < 4
        QVERIFY(r.loraModel->hasLora() && !r.fullModel->hasLora());
    }

    void baseIsNotTouched() {
        const Mlp before = m_base;
        TrainOptions options;
        options.maxSteps = 5;
        measureForgetting(m_base, m_tasks, {{2, 2.0f}, {}}, options, 0);
        Mlp a = m_base, b = before;
        QVERIFY(evaluate(a, m_tasks.oldTest).logits.isApprox(evaluate(b, m_tasks.oldTest).logits));
        QVERIFY(a.layer(0).W == b.layer(0).W);
    }

    void stopEndsBothRuns() {
        std::stop_source stop;
        stop.request_stop();
        const ForgettingResult r = measureForgetting(m_base, m_tasks, {{2, 2.0f}, {}},
                                                     TrainOptions{}, 0, nullptr, stop.get_token());
        QVERIFY(r.stopped);
        QCOMPARE(r.fullRun.steps, 0L);
        QCOMPARE(r.loraRun.steps, 0L);
        QCOMPARE(r.series.size(), std::size_t(1)); // only the base point
    }
};

QTEST_GUILESS_MAIN(TestForgetting)
#include "tst_forgetting.moc"
