#pragma once
// One optimisation step on one batch: forward, softmax cross-entropy, explicit zero_grad,
// backward, optimiser update. All buffers are sized up front, so after the first batch of
// the largest size a step allocates nothing (asserted in tests/core/tst_training_step).
#include "nn/mlp.h"
#include "nn/optimizer.h"

#include <memory>
#include <span>
#include <string>

namespace lora {

class TrainingStep {
public:
    // Optimises model.trainableViews() with `optimizer` ("adam" | "sgd").
    TrainingStep(Mlp& model, const std::string& optimizer, float learningRate, int batchCapacity);

    // x: [batch, inputs], labels: [batch] -> mean loss of this batch before the update.
    // A non-finite loss leaves every weight untouched (no backward, no update). An update
    // that makes a weight non-finite is applied; weightsFinite() then turns false and the
    // caller rewinds (TrainingCheckpoint).
    float run(const Eigen::Ref<const Matrix>& x, std::span<const int> labels);

    bool weightsFinite() const { return m_weightsFinite; }
    Optimizer& optimizer() { return *m_optimizer; }

private:
    Mlp& m_model;
    std::unique_ptr<Optimizer> m_optimizer;
    Matrix m_probs;   // [capacity, outputs]
    Matrix m_dlogits; // [capacity, outputs]
    bool m_weightsFinite = true;
};

} // namespace lora
