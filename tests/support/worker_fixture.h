#pragma once
// TrainingWorker on a real QThread, driven by queued calls as the session drives it, for
// tst_training_worker (runs and what they report) and tst_training_worker_stop (stop, pause,
// quit).
#include "data/dataset.h"
#include "session/training_worker.h"

#include <QElapsedTimer>
#include <QThread>
#include <QtTest>
#include <memory>
#include <optional>

namespace lora::test {

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

// The embedded digits and seed 000's base on 3-vs-4, trained once per test program.
struct WorkerRuns {
    DataPtr data;
    ModelPtr base;

    void loadData() { data = std::make_shared<const SplitData>(loadEmbeddedMnist()); }

    RunRequest request(RunKind kind, const ExperimentSettings& s = {}) const {
        static int nextId = 1;
        return RunRequest{nextId++, kind, s, base, data};
    }

    ModelPtr transferBase() {
        if (base) return base;
        Fixture f;
        f.run(request(RunKind::Base));
        [&] { QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000); }();
        base = f.rec->outcome ? f.rec->outcome->model : nullptr;
        return base;
    }
};

} // namespace lora::test
