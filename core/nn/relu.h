#pragma once
#include "nn/tensor.h"

namespace lora {

enum class Activation { None, Relu };

// y: [batch, n], b: [n] -> y = act(y + b) in place: bias and activation in one pass over
// the GEMM's output instead of two.
void biasActivationForward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Vector>& b, Activation act);

// dy: [batch, n], y: [batch, n] (the forward output) -> dx: [batch, n], dx = dy · [y > 0].
// dx may alias dy.
void reluBackward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& y);

} // namespace lora
