#include "train/evaluate.h"

#include "nn/cross_entropy.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>

namespace lora {

namespace {

// The checks both entry points make before any work; returns the batch size to use.
int checkedBatchSize(const Mlp& model, const Dataset& data, int batchSize) {
    // An accuracy of nothing would read as "0.00 %", a model that is always wrong.
    if (data.size() == 0)
        throw InputError("no samples to evaluate on: the split holds none of the chosen classes");
    if (data.features() != model.inputs())
        throw InputError("data has " + std::to_string(data.features()) +
                         " features but the model takes " + std::to_string(model.inputs()) +
                         " inputs");
    const int classes = model.outputs();
    for (int label : data.labels)
        if (label < 0 || label >= classes)
            throw InputError("label " + std::to_string(label) + " is outside the model's " +
                             std::to_string(classes) + " outputs");
    // Chunks within the activation budget, which a narrow-but-deep network trained at a small
    // batch may otherwise exceed here.
    return static_cast<int>(
        std::min<long long>(batchSize, std::max(1LL, maxBatchFor(model.widths()))));
}

// Forwards batch `b` (rows b·batchSize…) and records its predictions, its logits when kept,
// and its summed loss. Batches write disjoint rows, so threads may run them side by side.
void scoreBatch(Mlp& model, const Dataset& data, int b, int batchSize, Matrix& probs,
                Evaluation& ev, std::vector<double>& batchLoss) {
    const int start = b * batchSize;
    const int rows = std::min(batchSize, data.size() - start);
    const ConstMatrixMap logits = model.forward(data.images.middleRows(start, rows));
    probs.resize(rows, model.outputs());
    const std::span<const int> y(data.labels.data() + start, rows);
    batchLoss[b] = static_cast<double>(crossEntropyForward(probs, logits, y)) * rows;
    for (int i = 0; i < rows; ++i) {
        Eigen::Index pred;
        logits.row(i).maxCoeff(&pred);
        ev.predictions[start + i] = static_cast<int>(pred);
    }
    if (ev.logits.size() > 0) ev.logits.middleRows(start, rows) = logits;
}

Evaluation prepared(const Mlp& model, const Dataset& data, bool keepLogits) {
    Evaluation ev;
    ev.total = data.size();
    ev.predictions.resize(data.size());
    if (keepLogits) ev.logits.resize(data.size(), model.outputs());
    return ev;
}

// Counts and the mean loss from the per-row predictions and per-batch losses.
void tally(Evaluation& ev, const Dataset& data, int classes, const std::vector<double>& batchLoss) {
    ev.confusion.assign(classes, std::vector<int>(classes, 0));
    ev.errorsPerClass.assign(classes, 0);
    for (int i = 0; i < ev.total; ++i) {
        const int y = data.labels[i], pred = ev.predictions[i];
        ++ev.confusion[y][pred];
        if (pred == y)
            ++ev.correct;
        else
            ++ev.errorsPerClass[y];
    }
    double lossSum = 0;
    for (double l : batchLoss) lossSum += l; // in batch order, whoever computed them
    ev.loss = static_cast<float>(lossSum / ev.total);
    ev.accuracy = 100.0f * static_cast<float>(ev.correct) / static_cast<float>(ev.total);
}

int batchCount(const Dataset& data, int batchSize) {
    return (data.size() + batchSize - 1) / batchSize;
}

} // namespace

Evaluation evaluate(Mlp& model, const Dataset& data, bool keepLogits, int batchSize) {
    batchSize = checkedBatchSize(model, data, batchSize);
    Evaluation ev = prepared(model, data, keepLogits);
    std::vector<double> batchLoss(batchCount(data, batchSize));
    Matrix probs;
    for (int b = 0; b < static_cast<int>(batchLoss.size()); ++b)
        scoreBatch(model, data, b, batchSize, probs, ev, batchLoss);
    tally(ev, data, model.outputs(), batchLoss);
    return ev;
}

Evaluation evaluateParallel(const Mlp& model, const Dataset& data, int threads, bool keepLogits,
                            int batchSize) {
    batchSize = checkedBatchSize(model, data, batchSize);
    const int batches = batchCount(data, batchSize);
    threads = std::clamp(threads, 1, batches);
    Evaluation ev = prepared(model, data, keepLogits);
    std::vector<double> batchLoss(batches);
    // Batches are handed out as threads come free: on a shared machine a thread that loses
    // its core holds up one batch, not half the set.
    std::atomic<int> next{0};
    std::exception_ptr failure;
    std::mutex failureMutex;
    auto work = [&] {
        try {
            Mlp copy = model;
            Matrix probs;
            for (int b = next++; b < batches; b = next++)
                scoreBatch(copy, data, b, batchSize, probs, ev, batchLoss);
        } catch (...) {
            next = batches; // the others stop at their next batch
            const std::lock_guard lock(failureMutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::jthread> helpers;
    for (int t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    helpers.clear(); // joins
    if (failure) std::rethrow_exception(failure);
    tally(ev, data, model.outputs(), batchLoss);
    return ev;
}

std::vector<int> predictRows(const Mlp& model, const Eigen::Ref<const Matrix>& x) {
    if (x.cols() != model.inputs())
        throw InputError("rows have " + std::to_string(x.cols()) +
                         " features but the model takes " + std::to_string(model.inputs()) +
                         " inputs");
    Mlp copy = model; // forward() writes workspaces
    std::vector<int> predictions(static_cast<std::size_t>(x.rows()));
    if (x.rows() == 0) return predictions;
    const ConstMatrixMap logits = copy.forward(x);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        Eigen::Index pred;
        logits.row(i).maxCoeff(&pred);
        predictions[static_cast<std::size_t>(i)] = static_cast<int>(pred);
    }
    return predictions;
}

} // namespace lora
