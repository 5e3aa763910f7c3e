#pragma once
// What an Evaluation says beyond its accuracy: the class a model gets wrong most often (seed
// 001 fine-tunes on it), how sure each prediction was, and which rows to show first when
// looking for mistakes or doubt.
#include "train/evaluate.h"

#include <vector>

namespace lora {

// Class position with the most errors in evaluation.errorsPerClass; the lowest position on
// a tie; -1 when the model makes no error at all.
int weakestClass(const Evaluation& evaluation);

// logits: [n, classes] -> [n] softmax probability of each row's top class (its confidence).
std::vector<float> topProbabilities(const Matrix& logits);

// Rows of the evaluated data, in row order, whose prediction is wrong; labels: [n] true
// class positions. At most `limit` rows.
std::vector<int> mistakeRows(const Evaluation& evaluation, const std::vector<int>& labels,
                             int limit);

// At most `limit` rows with the lowest top probability, least confident first; equal
// probabilities keep row order.
std::vector<int> leastConfidentRows(const std::vector<float>& topProbability, int limit);

} // namespace lora
