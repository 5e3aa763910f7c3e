#pragma once
// The training loop's side of TrainingWorker: turns Trainer callbacks into throttled
// reports (the worker makes them queued signals), validates after each epoch (skipped once
// a stop is requested, so a stop returns quickly), and parks the loop in a PauseGate
// between batches while paused.
#include "session/pause_gate.h"
#include "session/run_types.h"
#include "train/progress.h"

#include <chrono>
#include <functional>
#include <stop_token>
#include <vector>

class WorkerObserver : public lora::ProgressObserver {
public:
    struct Setup {
        int runId = 0;
        RunKind kind = RunKind::Base;
        bool report = true; // false for sweep points: no step or epoch signals
        int epochs = 1;
        long maxSteps = -1;
        int batchSize = 1;
        lora::Mlp* model = nullptr;
        const lora::Dataset* valid = nullptr; // validated after each epoch when set
    };

    // Where the reports go; either may be empty (a sweep point reports nothing).
    struct Reports {
        std::function<void(const StepBatch&)> steps;   // at most ~30 a second
        std::function<void(const EpochUpdate&)> epoch; // each finished epoch
    };

    WorkerObserver(const Setup& setup, std::stop_token stop, PauseGate& gate, Reports reports);

    void onStep(const lora::StepProgress& step) override;
    void onEpoch(const lora::EpochProgress& progress) override;
    void finish(); // flushes the losses not reported yet

    // The finished epochs, validation filled in; an epoch cut short by a stop is left out.
    const std::vector<lora::EpochProgress>& epochs() const { return m_epochs; }
    // Steps done when the last validation ran (-1: never); if that is every step of the
    // run, its accuracy is the final model's.
    long validatedAtStep() const { return m_validatedAtStep; }
    float validatedAccuracy() const { return m_validatedAccuracy; }

private:
    using Clock = std::chrono::steady_clock;
    void flush();
    double secondsSince(Clock::time_point t) const;

    Setup m_setup;
    std::stop_token m_stop;
    PauseGate& m_gate;
    Reports m_reports;
    Clock::time_point m_start, m_lastEmit;
    double m_validationSeconds = 0;
    StepBatch m_pending;
    long m_stepsDone = 0, m_stepsTotal = 0;
    int m_epoch = 0;
    std::vector<lora::EpochProgress> m_epochs;
    long m_validatedAtStep = -1;
    float m_validatedAccuracy = 0;
};
