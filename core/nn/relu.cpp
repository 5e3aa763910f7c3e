#include "nn/relu.h"

#include "util/simd_clones.h"

namespace lora {

namespace {

// One row: y = max(y + b, 0), or y + b. A NaN stays NaN (as std::max(NaN, 0) does), so the
// optimiser's finiteness check still sees a diverged layer.
LORA_SIMD_CLONES void biasRow(float* __restrict y, const float* __restrict b, Eigen::Index n,
                              bool relu) {
    if (relu)
        for (Eigen::Index j = 0; j < n; ++j) {
            const float v = y[j] + b[j];
            y[j] = v < 0.0f ? 0.0f : v;
        }
    else
        for (Eigen::Index j = 0; j < n; ++j) y[j] += b[j];
}

// dx = dy where y > 0, else 0; dx may be dy itself, so no restrict between them.
LORA_SIMD_CLONES void reluRow(float* dx, const float* dy, const float* __restrict y,
                              Eigen::Index n) {
    for (Eigen::Index j = 0; j < n; ++j) dx[j] = y[j] > 0.0f ? dy[j] : 0.0f;
}

} // namespace

void biasActivationForward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Vector>& b,
                           Activation act) {
    for (Eigen::Index i = 0; i < y.rows(); ++i)
        biasRow(y.row(i).data(), b.data(), y.cols(), act == Activation::Relu);
}

void reluBackward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& y) {
    for (Eigen::Index i = 0; i < dx.rows(); ++i)
        reluRow(dx.row(i).data(), dy.row(i).data(), y.row(i).data(), dx.cols());
}

} // namespace lora
