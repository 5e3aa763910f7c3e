#pragma once
// Adapts lora::Trainer to Qt: lives on its own QThread (moveToThread), receives requests as
// queued slot calls, and reports through signals. Stop, pause and single-step are
// thread-safe calls meant for the GUI thread: they flip atomics the training loop reads
// between batches, so they take effect while a slot is still running. Every slot catches
// exceptions and emits failed() with the one-line message.
#include "session/pause_gate.h"
#include "session/run_types.h"
#include "session/worker_observer.h"

#include <QObject>
#include <mutex>
#include <stop_token>

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    // Thread-safe.
    // Ends the current run after its batch, and also wakes a pause. With a run id, that run
    // and every earlier one stop even if still queued (the session's Stop can come before the
    // worker has picked its run up); later runs start normally.
    void requestStop(int throughRunId = 0);
    void setPaused(bool paused) { m_gate.setPaused(paused); } // blocks the loop between batches
    void stepOnce() { m_gate.stepOnce(); } // while paused: let exactly one more batch run
    bool isPaused() const { return m_gate.isPaused(); }
    // Batches per second at most (0: full speed), for watching a fast run grow.
    void setPace(double stepsPerSecond) { m_gate.setPace(stepsPerSecond); }
    double pace() const { return m_gate.pace(); }

public slots:
    void run(const RunRequest& request);
    void runSweep(const SweepRequest& request);

signals:
    void runStarted(int runId, RunKind kind, const QString& label);
    void stepsReported(const StepBatch& batch);
    void epochFinished(const EpochUpdate& update);
    // Also after a stop (result.stopped) or a divergence (result.diverged; the model holds
    // the last finite weights). testAccuracy is NaN when not measured: stopped mid-epoch
    // (a test-set pass would hold the stop up).
    void runFinished(const RunOutcome& outcome);
    void sweepPoint(const SweepPoint& point);
    void sweepFinished(int runId, bool stopped);
    void failed(int runId, const QString& message);

private:
    // A fresh stop source, so that a stale stop does not end the next run; already stopped
    // if a stop through `runId` came while the run was queued.
    std::stop_token startRun(int runId);
    // The observer's reports become this worker's signals.
    WorkerObserver::Reports reports();
    void runOnce(const RunRequest& request);
    void sweepOnce(const SweepRequest& request);

    std::stop_source m_stop;
    std::mutex m_stopMutex; // guards m_stop replacement between runs, and m_stopThrough
    int m_stopThrough = 0;  // runs with ids up to this one are stopped
    PauseGate m_gate;
};
