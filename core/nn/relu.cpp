#include "nn/relu.h"

namespace lora {

void biasActivationForward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Vector>& b,
                           Activation act) {
    if (act == Activation::Relu)
        for (Eigen::Index i = 0; i < y.rows(); ++i) y.row(i) = (y.row(i) + b).cwiseMax(0.0f);
    else
        y.rowwise() += b;
}

void reluBackward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& y) {
    dx = (y.array() > 0.0f).select(dy, 0.0f);
}

} // namespace lora
