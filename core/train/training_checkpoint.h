#pragma once
// A copy of everything a training step changes — the trainable values and the optimiser's
// state — so a run whose update overflowed can go back to its last checkpoint and replay the
// batches since, ending bit-identical to a run that had simply stopped one step earlier.
#include "nn/mlp.h"
#include "nn/optimizer.h"

#include <vector>

namespace lora {

class TrainingCheckpoint {
public:
    // model: the network whose trainableViews() the optimiser updates.
    explicit TrainingCheckpoint(Mlp& model) : m_model(model) {}

    // Copies the trainable values and the optimiser state; `stepsDone` is the step count
    // they correspond to.
    void save(const Optimizer& optimizer, long stepsDone);
    // Writes the saved copy back. std::logic_error if nothing was saved or shapes changed.
    void restore(Optimizer& optimizer) const;
    long stepsDone() const { return m_stepsDone; }

private:
    Mlp& m_model;
    std::vector<std::vector<float>> m_values;
    OptimizerState m_optimizer;
    long m_stepsDone = -1;
};

} // namespace lora
