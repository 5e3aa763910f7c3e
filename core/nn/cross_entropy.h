#pragma once
// Softmax cross-entropy averaged over the batch, as F.cross_entropy.
#include "nn/tensor.h"

#include <span>

namespace lora {

// logits: [batch, classes], labels: [batch] -> probs: [batch, classes]; returns mean loss.
float crossEntropyForward(Eigen::Ref<Matrix> probs, const Eigen::Ref<const Matrix>& logits,
                          std::span<const int> labels);
// probs: [batch, classes], labels: [batch] -> dlogits: [batch, classes] = (p - onehot)/batch.
void crossEntropyBackward(Eigen::Ref<Matrix> dlogits, const Eigen::Ref<const Matrix>& probs,
                          std::span<const int> labels);

} // namespace lora
