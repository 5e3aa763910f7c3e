#include "nn/lora_linear.h"

#include "nn/gemm.h"

#include "util/error.h"

#include <cmath>

namespace lora {

float LoraSpec::scale() const {
    const float r = static_cast<float>(rank);
    return rslora ? alpha / std::sqrt(r) : alpha / r;
}

const char* toString(LoraInit init) {
    return init == LoraInit::Kaiming ? "kaiming" : "gaussian";
}

LoraInit loraInitFromString(const std::string& s) {
    if (s == "kaiming") return LoraInit::Kaiming;
    if (s == "gaussian") return LoraInit::Gaussian;
    throw InputError("unknown LoRA init '" + s + "' (use kaiming or gaussian)");
}

void LoraSpec::validate() const {
    if (rank < 1) throw InputError("LoRA rank must be at least 1");
    if (!(alpha > 0.0f) || !std::isfinite(alpha))
        throw InputError("LoRA alpha must be a positive number");
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
