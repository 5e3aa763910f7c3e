#pragma once
// Fully connected layer y = x Wᵀ + b, with W [out, in] and b [out] as in nn.Linear.
#include "nn/relu.h"
#include "nn/tensor.h"
#include "util/rng.h"

#include <vector>

namespace lora {

class Linear {
public:
    Linear() = default;
    Linear(int in, int out);

    int in() const { return static_cast<int>(W.cols()); }
    int out() const { return static_cast<int>(W.rows()); }
    std::size_t paramCount() const { return static_cast<std::size_t>(W.size() + b.size()); }

    // PyTorch's nn.Linear default: W, b ~ U(-1/sqrt(in), 1/sqrt(in)).
    void initDefault(Rng& rng);

    // x: [batch, in] -> y: [batch, out] = act(x Wᵀ + b)
    void forward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x,
                 Activation act = Activation::None) const;
    // x: [batch, in] -> y: [batch, out] = x Wᵀ, no bias: a caller adding more terms (LoRA)
    // applies bias and activation once at the end with biasActivationForward.
    void matmul(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x) const;

    // dy: [batch, out], x: [batch, in] -> dx: [batch, in] (if wanted), dW += dyᵀx, db += Σdy.
    // A frozen layer computes no dW/db at all; the first layer passes wantDx = false.
    void backward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& x, bool wantDx);

    void zeroGrad();
    // Views of W and b for an optimiser; empty when frozen.
    void trainableViews(const std::string& prefix, std::vector<ParamView>& out);

    Matrix W;  // [out, in]
    Vector b;  // [out]
    Matrix dW; // [out, in], allocated only while trainable
    Vector db; // [out]

    void setFrozen(bool frozen);
    bool frozen() const { return m_frozen; }

private:
    bool m_frozen = false;
};

} // namespace lora
