#include "train/trainer.h"

#include "data/batcher.h"
#include "train/evaluate.h"
#include "train/training_checkpoint.h"
#include "train/training_step.h"
#include "util/error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace lora {

void TrainOptions::validate() const {
    if (epochs < 1) throw InputError("epochs must be at least 1");
    if (batchSize < 1) throw InputError("batch size must be at least 1");
    if (!(learningRate > 0.0f) || !std::isfinite(learningRate))
        throw InputError("learning rate must be a positive number");
    if (maxSteps == 0 || maxSteps < -1) throw InputError("max steps must be at least 1");
}

std::string divergenceMessage(const TrainResult& result) {
    char loss[32];
    if (std::isnan(result.divergedLoss))
        std::snprintf(loss, sizeof loss, "nan");
    else
        std::snprintf(loss, sizeof loss, "%.4g", static_cast<double>(result.divergedLoss));
    return "diverged at step " + std::to_string(result.divergedAtStep) + " (loss = " + loss +
           "); weights restored to step " + std::to_string(result.divergedAtStep - 1);
}

namespace {

// The update of the step after `stepsDone` overflowed: go back to the epoch's checkpoint and
// replay its batches up to `stepsDone`. Replaying costs at most one epoch, once per run,
// where keeping a copy before every step would cost a copy of every weight on every step.
void rewindTo(long stepsDone, TrainingStep& step, const TrainingCheckpoint& checkpoint,
              Batcher& batcher) {
    checkpoint.restore(step.optimizer());
    batcher.rewind();
    Batch batch;
    for (long s = checkpoint.stepsDone(); s < stepsDone && batcher.next(batch); ++s)
        step.run(batch.x(), batch.y());
}

} // namespace

Trainer::Trainer(Mlp& model, const TrainOptions& options) : m_model(model), m_options(options) {
    m_options.validate();
}

TrainResult Trainer::run(const Dataset& train, const Dataset* valid, ProgressObserver* observer,
                         std::stop_token stop) {
    if (train.size() == 0) throw InputError("the training set is empty");
    if (train.features() != m_model.inputs())
        throw InputError("data has " + std::to_string(train.features()) +
                         " features but the model takes " + std::to_string(m_model.inputs()) +
                         " inputs");
    if (train.numClasses > m_model.outputs())
        throw InputError("the data has " + std::to_string(train.numClasses) +
                         " classes but the model has " + std::to_string(m_model.outputs()) +
                         " outputs");

    TrainingStep step(m_model, m_options.optimizer, m_options.learningRate,
                      std::min(m_options.batchSize, train.size()));
    Batcher batcher(train, m_options.batchSize, true, m_options.seed);
    TrainingCheckpoint checkpoint(m_model);
    TrainResult result;
    const long plannedSteps = static_cast<long>(batcher.batchesPerEpoch()) * m_options.epochs;
    result.stepLosses.reserve(static_cast<std::size_t>(
        m_options.maxSteps > 0 ? std::min(plannedSteps, m_options.maxSteps) : plannedSteps));
    const auto t0 = std::chrono::steady_clock::now();
    long samples = 0;
    double trainSeconds = 0; // excludes validation, so samples/s measures training alone

    for (int epoch = 1; epoch <= m_options.epochs; ++epoch) {
        const auto e0 = std::chrono::steady_clock::now();
        long epochSamples = 0;
        double lossSum = 0;
        int batches = 0;
        batcher.startEpoch();
        checkpoint.save(step.optimizer(), result.steps);
        Batch batch;
        while (batcher.next(batch)) {
            if (stop.stop_requested()) {
                result.stopped = true;
                break;
            }
            const float loss = step.run(batch.x(), batch.y());
            if (!std::isfinite(loss) || !step.weightsFinite()) {
                // A non-finite loss skipped its update, so the weights are already step N−1's.
                if (!step.weightsFinite()) rewindTo(result.steps, step, checkpoint, batcher);
                result.diverged = true;
                result.divergedAtStep = result.steps + 1;
                result.divergedLoss = loss;
                break;
            }

            ++result.steps;
            ++batches;
            lossSum += loss;
            epochSamples += batch.rows;
            result.stepLosses.push_back(loss);
            result.lastTrainLoss = loss;
            if (observer)
                observer->onStep({result.steps, epoch, batches, batcher.batchesPerEpoch(), loss});
            if (m_options.maxSteps > 0 && result.steps >= m_options.maxSteps) break;
        }
        samples += epochSamples;
        const double epochSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
        trainSeconds += epochSeconds;
        if (batches > 0) {
            EpochProgress progress;
            progress.epoch = epoch;
            progress.trainLoss = static_cast<float>(lossSum / batches);
            progress.samplesPerSecond = epochSeconds > 0 ? epochSamples / epochSeconds : 0;
            if (valid && m_options.validateEachEpoch && valid->size() > 0) {
                const Evaluation ev = evaluate(m_model, *valid);
                progress.validLoss = ev.loss;
                progress.validAccuracy = ev.accuracy;
            }
            result.epochs.push_back(progress);
            if (observer) observer->onEpoch(progress);
        }
        if (result.stopped || result.diverged) break;
        if (m_options.maxSteps > 0 && result.steps >= m_options.maxSteps) break;
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.samplesPerSecond = trainSeconds > 0 ? samples / trainSeconds : 0;
    return result;
}

} // namespace lora
