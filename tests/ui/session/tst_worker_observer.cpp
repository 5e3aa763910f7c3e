// WorkerObserver on a real Trainer run, without a TrainingWorker: step reports carry every
// batch loss exactly once and in order, with the run's step count; each finished epoch is
// validated and reported; once a stop is requested the epoch is neither validated nor
// reported; a sweep point (report = false) reports nothing; a paused gate parks the loop
// after flushing what the GUI has not seen.
#include "session/worker_observer.h"
#include "train/evaluate.h"

#include "seed_base.h"

#include <QtTest>
#include <atomic>
#include <thread>

using namespace lora;

namespace {

const Dataset& train34() {
    static const Dataset d = filterClassesRemap(loadEmbeddedMnist().train, {3, 4});
    return d;
}
const Dataset& test34() {
    static const Dataset d = filterClassesRemap(loadEmbeddedMnist().test, {3, 4});
    return d;
}

struct Recorded {
    std::vector<StepBatch> steps;
    std::vector<EpochUpdate> epochs;
    WorkerObserver::Reports reports() {
        return {[this](const StepBatch& b) { steps.push_back(b); },
                [this](const EpochUpdate& u) { epochs.push_back(u); }};
    }
    std::vector<float> losses() const {
        std::vector<float> all;
        for (const StepBatch& b : steps) all.insert(all.end(), b.losses.begin(), b.losses.end());
        return all;
    }
};

Mlp freshModel() {
    Mlp model("784-16-2");
    Rng rng(0);
    model.initDefault(rng);
    return model;
}

WorkerObserver::Setup setupFor(Mlp& model, const TrainOptions& options, bool report) {
    WorkerObserver::Setup s;
    s.runId = 3;
    s.kind = RunKind::Base;
    s.report = report;
    s.epochs = options.epochs;
    s.maxSteps = options.maxSteps;
    s.batchSize = options.batchSize;
    s.model = &model;
    s.valid = &test34();
    return s;
}

} // namespace

class TestWorkerObserver : public QObject {
    Q_OBJECT
private slots:
    void reportsEveryLossOnceAndEachEpoch() {
        Mlp model = freshModel();
        TrainOptions options;
        options.epochs = 2;
        PauseGate gate;
        std::stop_source stop;
        Recorded rec;
        WorkerObserver observer(setupFor(model, options, true), stop.get_token(), gate,
                                rec.reports());
        const TrainResult result =
            Trainer(model, options).run(train34(), nullptr, &observer, stop.get_token());
        observer.finish();
        QCOMPARE(rec.losses(), result.stepLosses);
        QCOMPARE(rec.steps.front().firstStep, 1L);
        QCOMPARE(rec.steps.back().stepsDone, result.steps);
        QCOMPARE(rec.steps.back().stepsTotal, result.steps);
        QCOMPARE(rec.steps.back().runId, 3);
        QCOMPARE(int(rec.epochs.size()), 2);
        QCOMPARE(int(observer.epochs().size()), 2);
        // The second epoch was validated on the final weights.
        QCOMPARE(observer.validatedAtStep(), result.steps);
        const Evaluation ev = evaluate(model, test34());
        QCOMPARE(observer.validatedAccuracy(), ev.accuracy);
        QCOMPARE(rec.epochs.back().progress.validAccuracy, ev.accuracy);
    }

    void aStoppedEpochIsNeitherValidatedNorReported() {
        Mlp model = freshModel();
        TrainOptions options;
        options.epochs = 3; // a first report at the end of epoch 1 still stops the run
        PauseGate gate;
        std::stop_source stop;
        Recorded rec;
        WorkerObserver::Reports reports = rec.reports();
        auto steps = reports.steps;
        reports.steps = [&](const StepBatch& b) {
            steps(b);
            stop.request_stop(); // after the first report: the run winds down
        };
        WorkerObserver observer(setupFor(model, options, true), stop.get_token(), gate, reports);
        const TrainResult result =
            Trainer(model, options).run(train34(), nullptr, &observer, stop.get_token());
        observer.finish();
        QVERIFY(result.stopped);
        QVERIFY(rec.epochs.empty());
        QVERIFY(observer.epochs().empty());
        QCOMPARE(observer.validatedAtStep(), -1L);
        QCOMPARE(rec.losses(), result.stepLosses);
    }

    void sweepPointsReportNothing() {
        Mlp model = freshModel();
        TrainOptions options;
        options.maxSteps = 5;
        PauseGate gate;
        std::stop_source stop;
        Recorded rec;
        WorkerObserver observer(setupFor(model, options, false), stop.get_token(), gate,
                                rec.reports());
        Trainer(model, options).run(train34(), nullptr, &observer, stop.get_token());
        observer.finish();
        QVERIFY(rec.steps.empty());
        QVERIFY(rec.epochs.empty());
    }

    void pausedGateParksAfterFlushing() {
        Mlp model = freshModel();
        TrainOptions options;
        options.maxSteps = 3;
        PauseGate gate;
        gate.setPaused(true);
        std::stop_source stop;
        std::mutex mutex;
        Recorded rec;
        WorkerObserver::Reports reports{[&](const StepBatch& b) {
                                            std::lock_guard lock(mutex);
                                            rec.steps.push_back(b);
                                        },
                                        {}};
        std::atomic<long> steps{-1};
        std::thread loop([&] {
            WorkerObserver observer(setupFor(model, options, true), stop.get_token(), gate,
                                    reports);
            steps =
                Trainer(model, options).run(train34(), nullptr, &observer, stop.get_token()).steps;
        });
        // Parked after batch 1, whose loss was flushed before it parked.
        QVERIFY(QTest::qWaitFor(
            [&] {
                std::lock_guard lock(mutex);
                return !rec.steps.empty();
            },
            5000));
        {
            std::lock_guard lock(mutex);
            QCOMPARE(rec.losses().size(), std::size_t(1));
        }
        gate.stepOnce();
        QVERIFY(QTest::qWaitFor(
            [&] {
                std::lock_guard lock(mutex);
                return rec.losses().size() == 2;
            },
            5000));
        gate.setPaused(false);
        loop.join();
        QCOMPARE(steps.load(), 3L);
    }
};

QTEST_GUILESS_MAIN(TestWorkerObserver)
#include "tst_worker_observer.moc"
