#include "nn/linear.h"

#include "nn/gemm.h"

#include <cmath>

namespace lora {

Linear::Linear(int in, int out) : W(Matrix::Zero(out, in)), b(Vector::Zero(out)) {
    setFrozen(false);
}

void Linear::initDefault(Rng& rng) {
    // nn.Linear: kaiming_uniform(a=√5) on W gives bound 1/√in, and the bias uses 1/√in too.
    const float bound = 1.0f / std::sqrt(static_cast<float>(in()));
    for (Eigen::Index i = 0; i < W.size(); ++i) W.data()[i] = rng.uniform(-bound, bound);
    for (Eigen::Index i = 0; i < b.size(); ++i) b[i] = rng.uniform(-bound, bound);
}

void Linear::forward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x,
                     Activation act) const {
    matmul(y, x);
    biasActivationForward(y, b, act);
}

void Linear::matmul(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x) const {
    gemm(y, x, Op::None, W, Op::Transpose);
}

void Linear::backward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                      const Eigen::Ref<const Matrix>& x, bool wantDx) {
    if (!m_frozen) {
        gemm(dW, dy, Op::Transpose, x, Op::None, 1.0f, true);
        db += dy.colwise().sum();
    }
    if (wantDx) gemm(dx, dy, Op::None, W, Op::None);
}

void Linear::zeroGrad() {
    if (m_frozen) return;
    dW.setZero();
    db.setZero();
}

void Linear::trainableViews(const std::string& prefix, std::vector<ParamView>& out) {
    if (m_frozen) return;
    out.push_back({prefix + ".weight", W.data(), dW.data(), static_cast<std::size_t>(W.size())});
    out.push_back({prefix + ".bias", b.data(), db.data(), static_cast<std::size_t>(b.size())});
}

void Linear::setFrozen(bool frozen) {
    m_frozen = frozen;
    // A frozen layer holds no gradient storage at all: nothing to update by mistake.
    if (frozen) {
        dW.resize(0, 0);
        db.resize(0);
    } else if (dW.rows() != W.rows() || dW.cols() != W.cols()) {
        dW = Matrix::Zero(W.rows(), W.cols());
        db = Vector::Zero(b.size());
    }
}

} // namespace lora
