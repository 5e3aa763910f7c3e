#include "train/evaluate.h"

#include "nn/cross_entropy.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <algorithm>

namespace lora {

Evaluation evaluate(Mlp& model, const Dataset& data, bool keepLogits, int batchSize) {
    // An accuracy of nothing would read as "0.00 %", a model that is always wrong.
    if (data.size() == 0)
        throw InputError("no samples to evaluate on: the split holds none of the chosen classes");
    if (data.features() != model.inputs() && data.size() > 0)
        throw InputError("data has " + std::to_string(data.features()) +
                         " features but the model takes " + std::to_string(model.inputs()) +
                         " inputs");
    // Chunks within the activation budget, which a narrow-but-deep network trained at a small
    // batch may otherwise exceed here.
    batchSize = static_cast<int>(
        std::min<long long>(batchSize, std::max(1LL, maxBatchFor(model.widths()))));
    const int classes = model.outputs();
    Evaluation ev;
    ev.total = data.size();
    ev.predictions.resize(data.size());
    ev.confusion.assign(classes, std::vector<int>(classes, 0));
    ev.errorsPerClass.assign(classes, 0);
    if (keepLogits) ev.logits.resize(data.size(), classes);
    Matrix probs;
    double lossSum = 0;
    for (int start = 0; start < data.size(); start += batchSize) {
        const int rows = std::min(batchSize, data.size() - start);
        const auto x = data.images.middleRows(start, rows);
        const ConstMatrixMap logits = model.forward(x);
        probs.resize(rows, classes);
        const std::span<const int> y(data.labels.data() + start, rows);
        for (int label : y)
            if (label < 0 || label >= classes)
                throw InputError("label " + std::to_string(label) + " is outside the model's " +
                                 std::to_string(classes) + " outputs");
        lossSum += static_cast<double>(crossEntropyForward(probs, logits, y)) * rows;
        for (int i = 0; i < rows; ++i) {
            Eigen::Index pred;
            logits.row(i).maxCoeff(&pred);
            ev.predictions[start + i] = static_cast<int>(pred);
            ++ev.confusion[y[i]][pred];
            if (pred == y[i])
                ++ev.correct;
            else
                ++ev.errorsPerClass[y[i]];
        }
        if (keepLogits) ev.logits.middleRows(start, rows) = logits;
    }
    ev.loss = static_cast<float>(lossSum / ev.total);
    ev.accuracy = 100.0f * static_cast<float>(ev.correct) / static_cast<float>(ev.total);
    return ev;
}

} // namespace lora
