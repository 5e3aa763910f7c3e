#pragma once
// Everything the Training and Sweep panels have drawn since the last reset, as the raw
// numbers the worker reported (not the smoothed curves), so a saved session can redraw
// exactly what its author saw by replaying them into fresh panels.
#include "session/run_types.h"

#include <QJsonObject>
#include <QObject>
#include <vector>

class ExperimentSession;
class SweepTab;
class TrainingTab;

class RunHistory : public QObject {
    Q_OBJECT
public:
    struct Run {
        int id = 0;
        RunKind kind = RunKind::Base;
        QString label;
        long firstStep = 1;
        std::vector<float> losses; // one per batch from firstStep on; NaN where it diverged
        std::vector<lora::EpochProgress> epochs;
        bool finished = false;
        lora::TrainResult result; // steps, seconds, stopped, diverged, samples/s
        float testAccuracy = 0;
    };
    struct Sweep {
        int id = 0;
        std::vector<SweepPoint> points;
        bool finished = false, stopped = false;
    };

    // Records what `session` reports from now on; without one it only holds what fromJson read.
    explicit RunHistory(ExperimentSession* session, QObject* parent = nullptr);

    const std::vector<Run>& runs() const { return m_runs; }
    const Sweep& sweep() const { return m_sweep; }
    int lastRunId() const; // 0 when nothing was recorded

    QJsonObject toJson() const;
    // Throws lora::InputError naming the first malformed entry; the history is unchanged then.
    void fromJson(const QJsonObject& json);
    void clear();
    void clearSweep();
    // Clears both panels and draws the recorded runs and sweep into them.
    void replay(TrainingTab* training, SweepTab* sweep) const;

private:
    Run* find(int runId);
    void onSweepPoint(const SweepPoint& point);
    void startSweep(int runId);

    std::vector<Run> m_runs;
    Sweep m_sweep;
};
