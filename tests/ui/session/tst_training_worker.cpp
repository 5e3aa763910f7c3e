// TrainingWorker's runs and what they report: base, LoRA and full runs on seed 000's digits,
// throttled step reports that lose no step, errors that leave the worker usable, sweeps.
// Stop, pause and shutdown are in tst_training_worker_stop.
#include "worker_fixture.h"

#include <cmath>

using lora::test::Fixture;
using lora::test::WorkerRuns;

namespace {

bool sameWeights(const lora::Mlp& a, const lora::Mlp& b) {
    for (int i = 0; i < a.layerCount(); ++i)
        if (a.layer(i).W != b.layer(i).W || a.layer(i).b != b.layer(i).b) return false;
    return true;
}

} // namespace

class TestTrainingWorker : public QObject {
    Q_OBJECT
private:
    WorkerRuns m_runs; // m_runs.base: seed 000's base on 3-vs-4, from baseRun

private slots:
    void initTestCase() { m_runs.loadData(); }

    void baseRun_data() {
        QTest::addColumn<int>("epochs");
        QTest::addColumn<int>("batch");
        QTest::newRow("seed 000") << 1 << 64;
        QTest::newRow("3 epochs, batch 4") << 3 << 4; // ~1,200 steps: throttling has work
    }
    void baseRun() {
        QFETCH(int, epochs);
        QFETCH(int, batch);
        ExperimentSettings s;
        s.baseEpochs = epochs;
        s.batchSize = batch;
        if (batch < 64) s.learningRate = 0.001f;
        Fixture f;
        const RunRequest r = m_runs.request(RunKind::Base, s);
        f.rec->clock.restart();
        f.run(r);
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 120000);
        const double elapsed = f.rec->finishedAtMs / 1000.0;
        const RunOutcome& o = *f.rec->outcome;
        QCOMPARE(f.rec->labels, QStringList{"base 784-64-2"});
        QVERIFY(f.rec->failures.isEmpty());
        QCOMPARE(o.runId, r.runId);
        QCOMPARE(o.kind, RunKind::Base);
        QVERIFY2(o.testAccuracy > 95.0f, qPrintable(QString::number(o.testAccuracy)));
        QVERIFY(!o.result.stopped);

        const int n = lora::filterClassesRemap(m_runs.data->train, {3, 4}).size();
        const long steps = static_cast<long>((n + batch - 1) / batch) * epochs;
        QCOMPARE(o.result.steps, steps);
        QCOMPARE(int(o.result.epochs.size()), epochs);
        QCOMPARE(int(f.rec->epochs.size()), epochs);
        QCOMPARE(f.rec->epochs.back().progress.validAccuracy, o.testAccuracy);
        // Throttling batches the losses but drops none, in order.
        QCOMPARE(f.rec->lossCount(), steps);
        long next = 1;
        std::vector<float> losses;
        for (const StepBatch& b : f.rec->steps) {
            QCOMPARE(b.firstStep, next);
            next += static_cast<long>(b.losses.size());
            losses.insert(losses.end(), b.losses.begin(), b.losses.end());
        }
        QCOMPARE(losses, o.result.stepLosses);
        QCOMPARE(f.rec->steps.back().stepsDone, steps);
        QCOMPARE(f.rec->steps.back().stepsTotal, steps);
        QCOMPARE(f.rec->steps.back().etaSeconds, 0.0);
        const double bound = 30.0 * elapsed + epochs + 2;
        qInfo("%zu reports for %ld steps in %.3f s", f.rec->steps.size(), steps, elapsed);
        QVERIFY2(
            f.rec->steps.size() <= bound,
            qPrintable(QStringLiteral("%1 reports in %2 s").arg(f.rec->steps.size()).arg(elapsed)));
        if (!m_runs.base && epochs == 1) m_runs.base = o.model;
    }

    void fineTune_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("label");
        QTest::addColumn<long>("trainable");
        QTest::newRow("LoRA r4") << int(RunKind::Lora) << "LoRA r4 α1" << 3656L;
        QTest::newRow("full") << int(RunKind::Full) << "full fine-tune" << 50370L;
    }
    void fineTune() {
        QFETCH(int, kind);
        QFETCH(QString, label);
        QFETCH(long, trainable);
        QVERIFY(m_runs.transferBase());
        const lora::Mlp before = *m_runs.base;
        Fixture f;
        f.run(m_runs.request(RunKind(kind)));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 120000);
        const RunOutcome& o = *f.rec->outcome;
        QCOMPARE(f.rec->labels, QStringList{label});
        QCOMPARE(long(o.model->trainableParamCount()), trainable);
        QCOMPARE(o.model->hasLora(), RunKind(kind) == RunKind::Lora);
        QVERIFY2(o.testAccuracy > 95.0f, qPrintable(QString::number(o.testAccuracy)));
        QCOMPARE(int(f.rec->epochs.size()), 5);
        QVERIFY(sameWeights(*m_runs.base, before)); // the shared snapshot is never trained
        if (RunKind(kind) == RunKind::Lora) QVERIFY(sameWeights(*o.model, before));
    }

    // Seed 001's setting: fine-tune on one digit only, capped at maxSteps batches.
    void trainDigitsAndMaxSteps() {
        QVERIFY(m_runs.transferBase());
        ExperimentSettings s;
        s.trainDigits = {8};
        s.maxSteps = 7;
        Fixture f;
        f.run(m_runs.request(RunKind::Lora, s));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QCOMPARE(f.rec->outcome->result.steps, 7L);
        QCOMPARE(f.rec->steps.back().stepsTotal, 7L);
        QCOMPARE(f.rec->lossCount(), 7L);
    }

    void badRequestFailsAndWorkerCarriesOn_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<bool>("withBase");
        QTest::addColumn<bool>("withData");
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("baseClasses");
        QTest::addColumn<QString>("message");
        QTest::newRow("lora without base") << int(RunKind::Lora) << false << true << "784-64-2"
                                           << "3,4"
                                           << "train a base model first";
        QTest::newRow("full without base") << int(RunKind::Full) << false << true << "784-64-2"
                                           << "3,4"
                                           << "train a base model first";
        QTest::newRow("no data") << int(RunKind::Base) << false << false << "784-64-2"
                                 << "3,4"
                                 << "no dataset is loaded";
        QTest::newRow("classes vs outputs")
            << int(RunKind::Base) << false << true << "784-64-2"
            << "1,2,3"
            << "base classes: 3 digits chosen but architecture 784-64-2 has 2 outputs";
    }
    void badRequestFailsAndWorkerCarriesOn() {
        QFETCH(int, kind);
        QFETCH(bool, withBase);
        QFETCH(bool, withData);
        QFETCH(QString, architecture);
        QFETCH(QString, baseClasses);
        QFETCH(QString, message);
        ExperimentSettings s;
        s.architecture = architecture.toStdString();
        s.baseClasses.clear();
        for (const QString& d : baseClasses.split(',')) s.baseClasses.push_back(d.toInt());
        RunRequest bad = m_runs.request(RunKind(kind), s);
        if (!withBase) bad.base = nullptr;
        if (!withData) bad.data = nullptr;
        Fixture f;
        f.run(bad);
        f.run(m_runs.request(RunKind::Base));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QCOMPARE(f.rec->failures, QStringList{message});
        QCOMPARE(f.rec->labels, QStringList{"base 784-64-2"}); // the bad one never started
        QVERIFY(f.rec->outcome->testAccuracy > 95.0f);
    }

    // A test split without the chosen digits is refused before training, as in the CLI,
    // rather than scored "0.00 %" (or failing after the first epoch).
    void splitWithoutTestImagesIsRefused() {
        auto data = std::make_shared<lora::SplitData>(*m_runs.data);
        data->test = lora::filterKeepLabels(data->test, {0, 1, 2, 5, 6, 7, 8, 9});
        RunRequest bad = m_runs.request(RunKind::Base);
        bad.data = data;
        Fixture f;
        f.run(bad);
        f.run(m_runs.request(RunKind::Base));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QCOMPARE(f.rec->failures,
                 QStringList{"the test split of embedded holds no images of classes 3,4"});
        QCOMPARE(f.rec->labels, QStringList{"base 784-64-2"}); // the bad one never started
    }

    // A diverged run finishes with the last finite weights (step N−1), measured like any model.
    void divergedRunKeepsTheLastFiniteWeights() {
        ExperimentSettings s;
        s.learningRate = 1e30f;
        Fixture f;
        f.run(m_runs.request(RunKind::Base, s));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        const RunOutcome& o = *f.rec->outcome;
        QVERIFY(o.result.diverged);
        QCOMPARE(o.result.steps, o.result.divergedAtStep - 1);
        QVERIFY(o.model);
        for (int i = 0; i < o.model->layerCount(); ++i)
            QVERIFY(o.model->layer(i).W.allFinite() && o.model->layer(i).b.allFinite());
        QVERIFY(std::isfinite(o.testAccuracy));
        QVERIFY(f.rec->failures.isEmpty());
    }

    void baseOfAnotherShapeFails() {
        QVERIFY(m_runs.transferBase());
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        Fixture f;
        f.run(m_runs.request(RunKind::Lora, s)); // m_runs.base is 784-64-2
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->failures.size(), 1, 30000);
        QCOMPARE(f.rec->failures.front(),
                 QStringLiteral("the base model has 2 outputs but 10 target classes are chosen"));
    }

    void sweep() {
        QVERIFY(m_runs.transferBase());
        ExperimentSettings s;
        s.fineTuneEpochs = 2;
        Fixture f;
        f.sweep(SweepRequest{42, s, m_runs.base, m_runs.data, {1, 2}, {1.0f, 2.0f}});
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->sweepStopped.has_value(), 120000);
        QCOMPARE(*f.rec->sweepStopped, false);
        QVERIFY(f.rec->failures.isEmpty());
        QVERIFY(f.rec->steps.empty()); // sweeps report points, not steps
        const auto& p = f.rec->points;
        QCOMPARE(int(p.size()), 4);
        const bool axes[] = {true, true, false, false};
        const int ranks[] = {1, 2, 4, 4};
        const float alphas[] = {1, 1, 1, 2};
        const long params[] = {914, 1828, 3656, 3656};
        for (int i = 0; i < 4; ++i) {
            QCOMPARE(p[i].runId, 42);
            QCOMPARE(p[i].rankAxis, axes[i]);
            QCOMPARE(p[i].rank, ranks[i]);
            QCOMPARE(p[i].alpha, alphas[i]);
            QCOMPARE(p[i].trainableParams, params[i]);
            QVERIFY(p[i].accuracy > 80.0f);
            QVERIFY(p[i].seconds > 0);
        }
    }

    void sweepWithBadRankFails() {
        QVERIFY(m_runs.transferBase());
        Fixture f;
        f.sweep(SweepRequest{8, ExperimentSettings{}, m_runs.base, m_runs.data, {2, 0}, {}});
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->failures.size(), 1, 30000);
        QCOMPARE(f.rec->failures.front(), QStringLiteral("rank must be at least 1"));
        QVERIFY(f.rec->points.empty()); // checked before any training
    }
};

QTEST_MAIN(TestTrainingWorker)
#include "tst_training_worker.moc"
