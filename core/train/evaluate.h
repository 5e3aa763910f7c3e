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

} // namespace lora
