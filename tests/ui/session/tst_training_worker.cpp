// TrainingWorker on a real QThread, driven by queued calls as the session drives it: base,
// LoRA and full runs on seed 000's digits, throttled step reports that lose no step, stop
// within a second, pause and single-step, errors that leave the worker usable, sweeps.
#include "data/dataset.h"
#include "session/training_worker.h"
#include "time_scale.h"

#include <QElapsedTimer>
#include <QThread>
#include <QtTest>
#include <cmath>
#include <memory>
#include <optional>

namespace {

// Everything the worker reported, collected on the GUI thread through queued connections.
class Recorder : public QObject {
public:
    explicit Recorder(TrainingWorker* worker) {
        connect(worker, &TrainingWorker::runStarted, this,
                [this](int, RunKind, const QString& label) { labels << label; });
        connect(worker, &TrainingWorker::stepsReported, this,
                [this](const StepBatch& b) { steps.push_back(b); });
        connect(worker, &TrainingWorker::epochFinished, this,
                [this](const EpochUpdate& e) { epochs.push_back(e); });
        connect(worker, &TrainingWorker::runFinished, this, [this](const RunOutcome& o) {
            finishedAtMs = clock.elapsed();
            outcome = o;
        });
        connect(worker, &TrainingWorker::sweepPoint, this,
                [this](const SweepPoint& p) { points.push_back(p); });
        connect(worker, &TrainingWorker::sweepFinished, this,
                [this](int, bool stopped) { sweepStopped = stopped; });
        connect(worker, &TrainingWorker::failed, this,
                [this](int, const QString& message) { failures << message; });
        clock.start();
    }

    long lossCount() const {
        long n = 0;
        for (const StepBatch& b : steps) n += static_cast<long>(b.losses.size());
        return n;
    }
    void clear() {
        labels.clear();
        steps.clear();
        epochs.clear();
        outcome.reset();
        points.clear();
        sweepStopped.reset();
        failures.clear();
    }

    QElapsedTimer clock;
    QStringList labels;
    std::vector<StepBatch> steps;
    std::vector<EpochUpdate> epochs;
    std::optional<RunOutcome> outcome;
    qint64 finishedAtMs = 0;
    std::vector<SweepPoint> points;
    std::optional<bool> sweepStopped;
    QStringList failures;
};

// A worker on its own thread, torn down the way the session does it.
struct Fixture {
    QThread thread;
    TrainingWorker* worker = new TrainingWorker;
    std::unique_ptr<Recorder> rec;

    Fixture() {
        worker->moveToThread(&thread);
        rec = std::make_unique<Recorder>(worker);
        thread.start();
    }
    ~Fixture() {
        worker->requestStop();
        thread.quit();
        thread.wait();
        delete worker;
    }
    void run(const RunRequest& r) {
        QMetaObject::invokeMethod(worker, "run", Qt::QueuedConnection, Q_ARG(RunRequest, r));
    }
    void sweep(const SweepRequest& r) {
        QMetaObject::invokeMethod(worker, "runSweep", Qt::QueuedConnection, Q_ARG(SweepRequest, r));
    }
};

bool sameWeights(const lora::Mlp& a, const lora::Mlp& b) {
    for (int i = 0; i < a.layerCount(); ++i)
        if (a.layer(i).W != b.layer(i).W || a.layer(i).b != b.layer(i).b) return false;
    return true;
}

} // namespace

class TestTrainingWorker : public QObject {
    Q_OBJECT
private:
    DataPtr m_data;
    ModelPtr m_base; // seed 000's base on 3-vs-4, from baseRun

    RunRequest request(RunKind kind, const ExperimentSettings& s = {}) {
        static int nextId = 1;
        return RunRequest{nextId++, kind, s, m_base, m_data};
    }

    ModelPtr transferBase() {
        if (m_base) return m_base;
        Fixture f;
        f.run(request(RunKind::Base));
        [&] { QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000); }();
        m_base = f.rec->outcome ? f.rec->outcome->model : nullptr;
        return m_base;
    }

private slots:
    void initTestCase() {
        m_data = std::make_shared<const lora::SplitData>(lora::loadEmbeddedMnist());
    }

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
        const RunRequest r = request(RunKind::Base, s);
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

        const int n = lora::filterClassesRemap(m_data->train, {3, 4}).size();
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
        if (!m_base && epochs == 1) m_base = o.model;
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
        QVERIFY(transferBase());
        const lora::Mlp before = *m_base;
        Fixture f;
        f.run(request(RunKind(kind)));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 120000);
        const RunOutcome& o = *f.rec->outcome;
        QCOMPARE(f.rec->labels, QStringList{label});
        QCOMPARE(long(o.model->trainableParamCount()), trainable);
        QCOMPARE(o.model->hasLora(), RunKind(kind) == RunKind::Lora);
        QVERIFY2(o.testAccuracy > 95.0f, qPrintable(QString::number(o.testAccuracy)));
        QCOMPARE(int(f.rec->epochs.size()), 5);
        QVERIFY(sameWeights(*m_base, before)); // the shared snapshot is never trained
        if (RunKind(kind) == RunKind::Lora) QVERIFY(sameWeights(*o.model, before));
    }

    // Seed 001's setting: fine-tune on one digit only, capped at maxSteps batches.
    void trainDigitsAndMaxSteps() {
        QVERIFY(transferBase());
        ExperimentSettings s;
        s.trainDigits = {8};
        s.maxSteps = 7;
        Fixture f;
        f.run(request(RunKind::Lora, s));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QCOMPARE(f.rec->outcome->result.steps, 7L);
        QCOMPARE(f.rec->steps.back().stepsTotal, 7L);
        QCOMPARE(f.rec->lossCount(), 7L);
    }

    void stopEndsALongRunWithinASecond_data() {
        QTest::addColumn<bool>("pausedFirst");
        QTest::newRow("running") << false;
        QTest::newRow("paused") << true; // the stop must wake the paused loop
    }
    void stopEndsALongRunWithinASecond() {
        QFETCH(bool, pausedFirst);
        Fixture f;
        f.run(
            request(RunKind::Base, ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit)));
        QTRY_VERIFY_WITH_TIMEOUT(!f.rec->steps.empty(), 60000);
        if (pausedFirst) {
            f.worker->setPaused(true);
            QTest::qWait(100);
        }
        QElapsedTimer timer;
        timer.start();
        f.worker->requestStop();
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 30000);
        const qint64 ms = timer.elapsed();
        qInfo("stop latency %lld ms after %ld steps", ms, long(f.rec->outcome->result.steps));
        QVERIFY2(ms < 1000 * lora::test::kTimeScale,
                 qPrintable(QStringLiteral("runFinished %1 ms after the stop").arg(ms)));
        const RunOutcome& o = *f.rec->outcome;
        QVERIFY(o.result.stopped);
        QVERIFY(o.model);
        QCOMPARE(o.model->architecture(), std::string("784-1000-2000-10"));
        QVERIFY(o.result.steps < 800); // 8,000 images in batches of 10
        QCOMPARE(f.rec->lossCount(), o.result.steps);
        // Not measured: a test-set pass would hold the stop up; the epoch was cut short.
        QVERIFY(std::isnan(o.testAccuracy));
        QVERIFY(o.result.epochs.empty());
        QVERIFY(f.rec->epochs.empty());
        f.worker->setPaused(false);
    }

    // The session may stop a run the worker has not picked up yet (Stop right after Train):
    // a stop through that run's id ends it as soon as it starts, while a stop of an earlier
    // run leaves the queued one alone.
    void stopReachesAQueuedRun_data() {
        QTest::addColumn<bool>("throughQueued");
        QTest::newRow("stop through the queued run") << true;
        QTest::newRow("stop of the running one only") << false;
    }
    void stopReachesAQueuedRun() {
        QFETCH(bool, throughQueued);
        transferBase();
        Fixture f;
        const RunRequest running =
            request(RunKind::Base, ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
        const RunRequest queued = request(RunKind::Lora);
        f.run(running);
        f.run(queued);
        QTRY_VERIFY_WITH_TIMEOUT(!f.rec->steps.empty(), 60000);
        f.worker->requestStop(throughQueued ? queued.runId : running.runId);
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome && f.rec->outcome->runId == queued.runId, 60000);
        const RunOutcome& o = *f.rec->outcome;
        QCOMPARE(f.rec->labels.size(), 2);
        QCOMPARE(o.result.stopped, throughQueued);
        if (throughQueued)
            QCOMPARE(o.result.steps, 0L);
        else
            QCOMPARE(o.result.steps, 130L); // 5 epochs of 1612 digits in batches of 64
    }

    void pauseAndStepOnce() {
        Fixture f;
        // Paused before it starts: the loop parks after its first batch.
        f.worker->setPaused(true);
        QVERIFY(f.worker->isPaused());
        f.run(request(RunKind::Base));
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->lossCount(), 1L, 30000);
        const std::size_t reports = f.rec->steps.size();
        QTest::qWait(300);
        QCOMPARE(f.rec->steps.size(), reports);
        QCOMPARE(f.rec->lossCount(), 1L);

        f.worker->stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->lossCount(), 2L, 30000);
        QTest::qWait(300);
        QCOMPARE(f.rec->lossCount(), 2L);
        QVERIFY(!f.rec->outcome);

        f.worker->setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QVERIFY(!f.rec->outcome->result.stopped);
        QCOMPARE(f.rec->lossCount(), f.rec->outcome->result.steps);
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
        RunRequest bad = request(RunKind(kind), s);
        if (!withBase) bad.base = nullptr;
        if (!withData) bad.data = nullptr;
        Fixture f;
        f.run(bad);
        f.run(request(RunKind::Base));
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QCOMPARE(f.rec->failures, QStringList{message});
        QCOMPARE(f.rec->labels, QStringList{"base 784-64-2"}); // the bad one never started
        QVERIFY(f.rec->outcome->testAccuracy > 95.0f);
    }

    // A diverged run finishes with the last finite weights (step N−1), measured like any model.
    void divergedRunKeepsTheLastFiniteWeights() {
        ExperimentSettings s;
        s.learningRate = 1e30f;
        Fixture f;
        f.run(request(RunKind::Base, s));
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
        QVERIFY(transferBase());
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        Fixture f;
        f.run(request(RunKind::Lora, s)); // m_base is 784-64-2
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->failures.size(), 1, 30000);
        QCOMPARE(f.rec->failures.front(),
                 QStringLiteral("the base model has 2 outputs but 10 target classes are chosen"));
    }

    void sweep() {
        QVERIFY(transferBase());
        ExperimentSettings s;
        s.fineTuneEpochs = 2;
        Fixture f;
        f.sweep(SweepRequest{42, s, m_base, m_data, {1, 2}, {1.0f, 2.0f}});
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

    void sweepStops() {
        QVERIFY(transferBase());
        ExperimentSettings s;
        Fixture f;
        f.sweep(SweepRequest{7, s, m_base, m_data, {1, 2, 4, 8, 16, 32, 64}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(!f.rec->points.empty(), 60000);
        f.worker->requestStop();
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->sweepStopped.has_value(), 30000);
        QCOMPARE(*f.rec->sweepStopped, true);
        QVERIFY(f.rec->points.size() < 7);
    }

    void sweepWithBadRankFails() {
        QVERIFY(transferBase());
        Fixture f;
        f.sweep(SweepRequest{8, ExperimentSettings{}, m_base, m_data, {2, 0}, {}});
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->failures.size(), 1, 30000);
        QCOMPARE(f.rec->failures.front(), QStringLiteral("rank must be at least 1"));
        QVERIFY(f.rec->points.empty()); // checked before any training
    }

    // The session's shutdown: stop, quit, join — with a run still in progress.
    void quitDuringARun() {
        auto thread = std::make_unique<QThread>();
        auto* worker = new TrainingWorker;
        worker->moveToThread(thread.get());
        Recorder rec(worker);
        thread->start();
        QMetaObject::invokeMethod(
            worker, "run", Qt::QueuedConnection,
            Q_ARG(RunRequest, request(RunKind::Base, ExperimentSettings::forPreset(
                                                         ExperimentPreset::FixWeakDigit))));
        QTRY_VERIFY_WITH_TIMEOUT(!rec.steps.empty(), 60000);
        worker->requestStop();
        thread->quit();
        QVERIFY(thread->wait(30000));
        delete worker;
    }
};

QTEST_MAIN(TestTrainingWorker)
#include "tst_training_worker.moc"
