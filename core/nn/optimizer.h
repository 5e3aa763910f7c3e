#pragma once
// Optimisers see only flat views of trainable tensors, so a frozen weight cannot be
// updated by construction.
#include "nn/tensor.h"

#include <memory>
#include <string>
#include <vector>

namespace lora {

// Everything an optimiser carries between steps (moments, momentum, step count), so that a
// run can be rewound to a checkpoint and replayed bit for bit.
struct OptimizerState {
    std::vector<std::vector<float>> buffers;
    long steps = 0;
    bool operator==(const OptimizerState&) const = default;
};

class Optimizer {
public:
    explicit Optimizer(std::vector<ParamView> params) : m_params(std::move(params)) {}
    virtual ~Optimizer() = default;
    // Applies one update; returns false if any updated value is NaN or infinite (the update
    // is applied regardless: callers rewind to a checkpoint, see TrainingCheckpoint).
    [[nodiscard]] virtual bool step() = 0;
    void zeroGrad();
    virtual OptimizerState saveState() const = 0;
    // std::logic_error if `state` does not come from an optimiser of this kind and shape.
    virtual void restoreState(const OptimizerState& state) = 0;
    const std::vector<ParamView>& params() const { return m_params; }

protected:
    std::vector<ParamView> m_params;
};

// torch.optim.Adam with its defaults: β = (0.9, 0.999), ε = 1e-8, bias correction.
class Adam : public Optimizer {
public:
    Adam(std::vector<ParamView> params, float lr, float beta1 = 0.9f, float beta2 = 0.999f,
         float eps = 1e-8f);
    bool step() override;
    OptimizerState saveState() const override;
    void restoreState(const OptimizerState& state) override;

private:
    float m_lr, m_beta1, m_beta2, m_eps;
    long m_t = 0;
    // First and second moments of every view, back to back in one buffer each: the step is
    // one fused, vectorised pass (m, v and the parameter updated together) per view.
    std::vector<float> m_m, m_v;
    std::vector<std::size_t> m_offsets;
};

// Plain SGD, optionally with momentum (torch.optim.SGD semantics).
class Sgd : public Optimizer {
public:
    Sgd(std::vector<ParamView> params, float lr, float momentum = 0.0f);
    bool step() override;
    OptimizerState saveState() const override;
    void restoreState(const OptimizerState& state) override;

private:
    float m_lr, m_momentum;
    bool m_first = true;
    long m_steps = 0;
    std::vector<std::vector<float>> m_buf;
};

std::unique_ptr<Optimizer> makeOptimizer(const std::string& name, std::vector<ParamView> params,
                                         float lr); // "adam" | "sgd"

} // namespace lora
