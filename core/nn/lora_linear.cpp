#include "nn/lora_linear.h"

#include "nn/gemm.h"

#include "util/error.h"

#include <Eigen/SVD>
#include <cmath>

namespace lora {

float LoraSpec::scale() const {
    const float r = static_cast<float>(rank);
    return rslora ? alpha / std::sqrt(r) : alpha / r;
}

const char* toString(LoraInit init) {
    switch (init) {
    case LoraInit::Kaiming:
        return "kaiming";
    case LoraInit::Gaussian:
        return "gaussian";
    case LoraInit::Pissa:
        return "pissa";
    }
    return "?";
}

LoraInit loraInitFromString(const std::string& s) {
    if (s == "kaiming") return LoraInit::Kaiming;
    if (s == "gaussian") return LoraInit::Gaussian;
    if (s == "pissa") return LoraInit::Pissa;
    throw InputError("unknown LoRA init '" + s + "' (use kaiming, gaussian or pissa)");
}

void LoraSpec::validate() const {
    if (rank < 1) throw InputError("rank must be at least 1");
    if (rank > kMaxRank)
        throw InputError("rank must be at most " + std::to_string(kMaxRank) + " (got " +
                         std::to_string(rank) + ")");
    if (!(alpha > 0.0f) || !std::isfinite(alpha))
        throw InputError("alpha must be a positive number");
}

LoraLinear::LoraLinear(Linear& base, const LoraSpec& spec)
    : m_base(&base), m_spec(spec), m_scale(spec.scale()) {
    spec.validate(); // before any allocation sized by the rank
    A = Matrix::Zero(spec.rank, base.in());
    B = Matrix::Zero(base.out(), spec.rank);
    dA = Matrix::Zero(spec.rank, base.in());
    dB = Matrix::Zero(base.out(), spec.rank);
}

void LoraLinear::init(Rng& rng) {
    restoreBase(); // a second init starts again from the true W
    if (m_spec.init == LoraInit::Pissa) {
        initPissa();
        return;
    }
    if (m_spec.init == LoraInit::Kaiming) {
        // PEFT: kaiming_uniform_(A, a=√5) → bound = √(6 / ((1 + 5)·in)) = 1/√in.
        const float bound = 1.0f / std::sqrt(static_cast<float>(A.cols()));
        for (Eigen::Index i = 0; i < A.size(); ++i) A.data()[i] = rng.uniform(-bound, bound);
    } else {
        // PEFT's init_lora_weights="gaussian": N(0, (1/r)²).
        const float std = 1.0f / static_cast<float>(m_spec.rank);
        for (Eigen::Index i = 0; i < A.size(); ++i) A.data()[i] = std * rng.normal();
    }
    B.setZero(); // ΔW = 0 at the start: the adapted model begins exactly as the base.
}

void LoraLinear::initPissa() {
    Matrix& W = m_base->W; // [out, in]
    const Eigen::Index r = m_spec.rank;
    if (r > std::min(W.rows(), W.cols()))
        throw InputError("PiSSA needs a rank of at most min(in, out) = " +
                         std::to_string(std::min(W.rows(), W.cols())));
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(W.cast<double>(),
                                             Eigen::ComputeThinU | Eigen::ComputeThinV);
    // Each factor takes √(σ/s), so s·BA = U_r Σ_r V_rᵀ and A, B start on the same scale.
    const Eigen::VectorXd root = (svd.singularValues().head(r) / double(m_scale)).cwiseSqrt();
    A = (root.asDiagonal() * svd.matrixV().leftCols(r).transpose()).cast<float>();
    B = (svd.matrixU().leftCols(r) * root.asDiagonal()).cast<float>();
    m_pissaW = W;
    m_initialA = A;
    m_initialB = B;
    W -= delta(); // the residual, from the float factors: base output is kept to rounding
}

void LoraLinear::restoreBase() {
    if (!pissa()) return;
    unmerge();
    m_base->W = m_pissaW;
    m_pissaW.resize(0, 0);
    m_initialA.resize(0, 0);
    m_initialB.resize(0, 0);
}

void LoraLinear::reserveRows(Eigen::Index rows) {
    if (m_h.rows() >= rows && m_h.cols() == A.rows()) return;
    m_h.resize(rows, A.rows());
    m_dh.resize(rows, A.rows());
}

void LoraLinear::forward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x, Activation act) {
    m_base->matmul(y, x);
    if (enabled && !m_merged) {
        // Two thin GEMMs, [batch,in]·[in,r] then [batch,r]·[r,out]; BA is never formed.
        reserveRows(x.rows());
        auto h = m_h.topRows(x.rows());
        gemm(h, x, Op::None, A, Op::Transpose);
        gemm(y, h, Op::None, B, Op::Transpose, m_scale, true);
    }
    biasActivationForward(y, m_base->b, act);
}

void LoraLinear::backward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                          const Eigen::Ref<const Matrix>& x, bool wantDx) {
    m_base->backward(dx, dy, x, wantDx); // frozen base: only dx (if wanted)
    if (!enabled || m_merged) return;
    // y += s·h Bᵀ, h = x Aᵀ  ⇒  dB += s·dyᵀh, dh = s·dy B, dA += dhᵀx, dx += dh A.
    const auto h = m_h.topRows(dy.rows());
    auto dh = m_dh.topRows(dy.rows());
    gemm(dB, dy, Op::Transpose, h, Op::None, m_scale, true);
    gemm(dh, dy, Op::None, B, Op::None, m_scale);
    gemm(dA, dh, Op::Transpose, x, Op::None, 1.0f, true);
    if (wantDx) gemm(dx, dh, Op::None, A, Op::None, 1.0f, true);
}

void LoraLinear::zeroGrad() {
    dA.setZero();
    dB.setZero();
}

void LoraLinear::trainableViews(const std::string& prefix, std::vector<ParamView>& out) {
    out.push_back(
        {prefix + ".lora_A.weight", A.data(), dA.data(), static_cast<std::size_t>(A.size())});
    out.push_back(
        {prefix + ".lora_B.weight", B.data(), dB.data(), static_cast<std::size_t>(B.size())});
}

Matrix LoraLinear::delta() const {
    return m_scale * (B * A);
}

void LoraLinear::merge() {
    if (m_merged) return;
    m_base->W += delta();
    m_merged = true;
}

void LoraLinear::unmerge() {
    if (!m_merged) return;
    m_base->W -= delta();
    m_merged = false;
}

} // namespace lora
