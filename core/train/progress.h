#pragma once
// What a training run reports while it runs. Observers are called on the training thread;
// the GUI's worker turns these into queued signals.
namespace lora {

struct StepProgress {
    long step = 0; // global step, 1-based
    int epoch = 0; // 1-based
    int batchInEpoch = 0, batchesPerEpoch = 0;
    float loss = 0; // this batch's mean loss
};

struct EpochProgress {
    int epoch = 0;
    float trainLoss = 0;     // mean of the epoch's batch losses (as the seeds print it)
    float validLoss = 0;     // per-sample mean over the validation set
    float validAccuracy = 0; // percent
    double samplesPerSecond = 0;
};

class ProgressObserver {
public:
    virtual ~ProgressObserver() = default;
    virtual void onStep(const StepProgress&) {}
    virtual void onEpoch(const EpochProgress&) {}
};

} // namespace lora
