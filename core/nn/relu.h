#pragma once
#include "nn/tensor.h"

namespace lora {

// x: [batch, n] -> y: [batch, n], y = max(x, 0). y may alias x.
void reluForward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x);
// dy: [batch, n], y: [batch, n] (the forward output) -> dx: [batch, n], dx = dy · [y > 0].
void reluBackward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& y);

} // namespace lora
