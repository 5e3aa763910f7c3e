#pragma once
// Everything the Training and Sweep tabs have drawn since the last reset, as the raw
// numbers the worker reported (not the smoothed curves), so a saved session can redraw
// exactly what its author saw: replay() sends them again, as the replay* signals, to
// whoever draws them (the main window connects the tabs). Each run belongs to the
// experiment (preset and architecture) it was trained in, and only the current
// experiment's runs are replayed: a RichBoyNet run is never drawn on seed 000's axes.
#include "session/run_types.h"

#include <QObject>
#include <vector>

class ExperimentSession;

struct RecordedRun {
    int id = 0;
    RunKind kind = RunKind::Base;
    QString label;
    QString experiment; // RunHistory::experimentOf its settings: "Transfer 784-64-2"
    long firstStep = 1;
    std::vector<float> losses; // one per batch from firstStep on; NaN where it diverged
    std::vector<lora::EpochProgress> epochs;
    bool finished = false;
    lora::TrainResult result; // steps, seconds, stopped, diverged, samples/s
    float testAccuracy = 0;
};

struct RecordedSweep {
    int id = 0;
    std::vector<SweepPoint> points;
    bool finished = false, stopped = false;
};

struct RecordedHistory {
    std::vector<RecordedRun> runs;
    RecordedSweep sweep;
    int lastRunId() const; // 0 when nothing was recorded
};

class RunHistory : public QObject {
    Q_OBJECT
public:
    // Runs a history keeps (and a session file may hold): recording drops the oldest beyond
    // it, so whatever was saved can be read back, and a replay stays well under a second.
    static constexpr int kMaxRuns = 1000;

    // Records what `session` reports from now on; without one it only holds what restore gave.
    explicit RunHistory(ExperimentSession* session, QObject* parent = nullptr);

    // The runs of one experiment share a chart: same preset and network.
    static QString experimentOf(const ExperimentSettings& settings);
    QString experiment() const; // the session's current one ("" without a session)

    const RecordedHistory& recorded() const { return m_recorded; }
    const std::vector<RecordedRun>& runs() const { return m_recorded.runs; }
    const RecordedSweep& sweep() const { return m_recorded.sweep; }
    int lastRunId() const { return m_recorded.lastRunId(); }

    // Runs without an experiment (session files written before it was recorded) are taken
    // to belong to the current one.
    void restore(RecordedHistory recorded);
    void clear();
    void clearSweep();
    // Forgets the runs of the current experiment and replays (Training tab → Clear runs).
    void clearExperiment();
    int runCount(const QString& experiment) const;
    // Emits replayCleared, then every recorded run of the current experiment as the session
    // reported it, then replaySweepCleared and the sweep's points.
    void replay();

signals:
    void replayCleared();
    void replayRunStarted(int runId, RunKind kind, const QString& label);
    void replayStepsReported(const StepBatch& batch);
    void replayEpochFinished(const EpochUpdate& update);
    void replayRunFinished(const RunOutcome& outcome);
    void replaySweepCleared();
    void replaySweepPoint(const SweepPoint& point);
    void replaySweepFinished(int runId, bool stopped);

private:
    RecordedRun* find(int runId);
    void onSweepPoint(const SweepPoint& point);
    void startSweep(int runId);
    void replayRun(const RecordedRun& run);

    ExperimentSession* m_session;
    QString m_shown; // the experiment whose runs the tabs were last sent
    RecordedHistory m_recorded;
};
