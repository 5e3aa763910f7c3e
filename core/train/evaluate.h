#pragma once
// Forward-only evaluation on a dataset: loss, accuracy, confusion matrix and (optionally)
// every logit row.
#include "data/dataset.h"
#include "nn/mlp.h"

#include <vector>

namespace lora {

struct Evaluation {
    float loss = 0;     // mean cross-entropy per sample
    float accuracy = 0; // percent
    int correct = 0, total = 0;
    std::vector<int> predictions;            // [n]
    std::vector<std::vector<int>> confusion; // [true][predicted]
    std::vector<int> errorsPerClass;         // misclassified count per true label
    Matrix logits;                           // [n, outputs] when keepLogits
};

// data.numClasses must not exceed the model's outputs. InputError for an empty `data`.
Evaluation evaluate(Mlp& model, const Dataset& data, bool keepLogits = false, int batchSize = 500);

// The same Evaluation, bit for bit, with the batches shared out among up to `threads` threads
// (each forwards its own copy of `model`, for the workspaces): every batch is computed exactly
// as evaluate() computes it and the loss is summed in batch order, so only the wall time
// changes. What a live slider tick on a wide network waits for.
Evaluation evaluateParallel(const Mlp& model, const Dataset& data, int threads,
                            bool keepLogits = false, int batchSize = 500);

// The predicted class of each row of x: [rows, inputs], forwarded through a copy of `model`
// in one batch. For a handful of rows ahead of a full evaluation: the copy costs more than
// the forward pass, so this is no way to score a split.
std::vector<int> predictRows(const Mlp& model, const Eigen::Ref<const Matrix>& x);

} // namespace lora
