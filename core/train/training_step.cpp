#include "train/training_step.h"

#include "nn/cross_entropy.h"

#include <algorithm>
#include <cmath>

namespace lora {

TrainingStep::TrainingStep(Mlp& model, const std::string& optimizer, float learningRate,
                           int batchCapacity)
    : m_model(model), m_optimizer(makeOptimizer(optimizer, model.trainableViews(), learningRate)),
      m_probs(std::max(batchCapacity, 1), model.outputs()),
      m_dlogits(std::max(batchCapacity, 1), model.outputs()) {
    m_model.reserveBatch(std::max(batchCapacity, 1));
}

float TrainingStep::run(const Eigen::Ref<const Matrix>& x, std::span<const int> labels) {
    const Eigen::Index rows = x.rows();
    if (m_probs.rows() < rows) { // a larger batch than promised: grow once
        m_probs.resize(rows, m_probs.cols());
        m_dlogits.resize(rows, m_dlogits.cols());
    }
    auto probs = m_probs.topRows(rows);
    auto dlogits = m_dlogits.topRows(rows);
    const float loss = crossEntropyForward(probs, m_model.forward(x), labels);
    if (!std::isfinite(loss)) return loss;
    m_optimizer->zeroGrad();
    crossEntropyBackward(dlogits, probs, labels);
    m_model.backward(x, dlogits);
    m_weightsFinite = m_optimizer->step();
    return loss;
}

} // namespace lora
