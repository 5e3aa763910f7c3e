#include "nn/relu.h"

namespace lora {

void reluForward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x) {
    y = x.cwiseMax(0.0f);
}

void reluBackward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& y) {
    dx = (y.array() > 0.0f).select(dy, 0.0f);
}

} // namespace lora
