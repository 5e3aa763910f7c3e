#include "train/trainer.h"

#include "data/batcher.h"
#include "nn/cross_entropy.h"
#include "nn/optimizer.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <chrono>
#include <cmath>

namespace lora {

void TrainOptions::validate() const {
    if (epochs < 1) throw InputError("epochs must be at least 1");
    if (batchSize < 1) throw InputError("batch size must be at least 1");
    if (!(learningRate > 0.0f) || !std::isfinite(learningRate))
        throw InputError("learning rate must be a positive number");
    if (maxSteps == 0 || maxSteps < -1) throw InputError("max steps must be at least 1");
}

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

    auto optimizer =
        makeOptimizer(m_options.optimizer, m_model.trainableViews(), m_options.learningRate);
    Batcher batcher(train, m_options.batchSize, true, m_options.seed);
    Matrix probs, dlogits;
    TrainResult result;
    const auto t0 = std::chrono::steady_clock::now();
    long samples = 0;
    double trainSeconds = 0; // excludes validation, so samples/s measures training alone

    for (int epoch = 1; epoch <= m_options.epochs; ++epoch) {
        const auto e0 = std::chrono::steady_clock::now();
        long epochSamples = 0;
        double lossSum = 0;
        int batches = 0;
        batcher.startEpoch();
        Batch batch;
        while (batcher.next(batch)) {
            if (stop.stop_requested()) {
                result.stopped = true;
                break;
            }
            const auto x = batch.x();
            const Matrix& logits = m_model.forward(x);
            probs.resize(logits.rows(), logits.cols());
            dlogits.resize(logits.rows(), logits.cols());
            const float loss = crossEntropyForward(probs, logits, batch.y());
            if (!std::isfinite(loss)) {
                result.diverged = true;
                break;
            }
            optimizer->zeroGrad();
            crossEntropyBackward(dlogits, probs, batch.y());
            m_model.backward(x, dlogits);
            optimizer->step();

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
