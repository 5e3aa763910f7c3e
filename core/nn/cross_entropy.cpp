#include "nn/cross_entropy.h"

#include <cmath>

namespace lora {

float crossEntropyForward(Eigen::Ref<Matrix> probs, const Eigen::Ref<const Matrix>& logits,
                          std::span<const int> labels) {
    const Eigen::Index batch = logits.rows();
    double total = 0.0;
    for (Eigen::Index i = 0; i < batch; ++i) {
        // Subtract the row max so exp() cannot overflow; log-sum-exp gives the loss directly.
        const float maxLogit = logits.row(i).maxCoeff();
        probs.row(i) = (logits.row(i).array() - maxLogit).exp().matrix();
        const float sum = probs.row(i).sum();
        probs.row(i) /= sum;
        total += std::log(static_cast<double>(sum)) + maxLogit - logits(i, labels[i]);
    }
    return static_cast<float>(total / static_cast<double>(batch));
}

void crossEntropyBackward(Eigen::Ref<Matrix> dlogits, const Eigen::Ref<const Matrix>& probs,
                          std::span<const int> labels) {
    const float inv = 1.0f / static_cast<float>(probs.rows());
    dlogits = probs * inv;
    for (Eigen::Index i = 0; i < probs.rows(); ++i) dlogits(i, labels[i]) -= inv;
}

} // namespace lora
