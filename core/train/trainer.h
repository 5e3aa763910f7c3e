#pragma once
// Runs epochs of mini-batch training over a dataset, reporting progress and honouring a
// stop token between batches. Only the model's trainable views are optimised.
#include "data/dataset.h"
#include "nn/mlp.h"
#include "train/progress.h"

#include <stop_token>
#include <string>
#include <vector>

namespace lora {

struct TrainOptions {
    int epochs = 1;
    int batchSize = 64;
    float learningRate = 0.01f;
    std::string optimizer = "adam"; // "adam" | "sgd"
    std::uint64_t seed = 0;         // shuffling order
    long maxSteps = -1;             // stop after this many batches in total (seed 001: 100)
    bool validateEachEpoch = true;

    void validate() const; // InputError on epochs < 1, batch < 1, lr ≤ 0, maxSteps == 0
};

struct TrainResult {
    std::vector<EpochProgress> epochs;
    std::vector<float> stepLosses;
    long steps = 0;
    bool stopped = false; // the stop token fired
    // The loss or an update turned NaN/Inf at step divergedAtStep: training stopped there and
    // the weights are those after step divergedAtStep − 1 (== steps), bit for bit.
    bool diverged = false;
    long divergedAtStep = 0;
    float divergedLoss = 0; // the loss of that step's batch (NaN, ±Inf, or finite if the
                            // update overflowed)
    double seconds = 0;
    double samplesPerSecond = 0;
    float lastTrainLoss = 0;
};

// "diverged at step N (loss = X); weights restored to step N−1", for a diverged result.
std::string divergenceMessage(const TrainResult& result);

class Trainer {
public:
    Trainer(Mlp& model, const TrainOptions& options);

    // `valid` may be null. The observer may be null.
    TrainResult run(const Dataset& train, const Dataset* valid,
                    ProgressObserver* observer = nullptr, std::stop_token stop = {});

private:
    Mlp& m_model;
    TrainOptions m_options;
};

} // namespace lora
