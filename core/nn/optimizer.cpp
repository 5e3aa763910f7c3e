#include "nn/optimizer.h"

#include "util/error.h"

#include <cmath>
#include <cstring>

namespace lora {

void Optimizer::zeroGrad() {
    for (auto& p : m_params) std::memset(p.grad, 0, p.size * sizeof(float));
}

Adam::Adam(std::vector<ParamView> params, float lr, float beta1, float beta2, float eps)
    : Optimizer(std::move(params)), m_lr(lr), m_beta1(beta1), m_beta2(beta2), m_eps(eps) {
    for (const auto& p : m_params) {
        m_m.emplace_back(p.size, 0.0f);
        m_v.emplace_back(p.size, 0.0f);
    }
}

void Adam::step() {
    ++m_t;
    // Same arithmetic order as torch.optim.Adam (single-tensor path):
    // p -= (lr / bc1) · m / (√v / √bc2 + ε).
    const float bc1 = 1.0f - std::pow(m_beta1, static_cast<float>(m_t));
    const float bc2Sqrt = std::sqrt(1.0f - std::pow(m_beta2, static_cast<float>(m_t)));
    const float stepSize = m_lr / bc1;
    for (std::size_t k = 0; k < m_params.size(); ++k) {
        const ParamView& p = m_params[k];
        float* m = m_m[k].data();
        float* v = m_v[k].data();
        for (std::size_t i = 0; i < p.size; ++i) {
            const float g = p.grad[i];
            m[i] = m_beta1 * m[i] + (1.0f - m_beta1) * g;
            v[i] = m_beta2 * v[i] + (1.0f - m_beta2) * g * g;
            p.value[i] -= stepSize * m[i] / (std::sqrt(v[i]) / bc2Sqrt + m_eps);
        }
    }
}

Sgd::Sgd(std::vector<ParamView> params, float lr, float momentum)
    : Optimizer(std::move(params)), m_lr(lr), m_momentum(momentum) {
    if (momentum != 0.0f)
        for (const auto& p : m_params) m_buf.emplace_back(p.size, 0.0f);
}

void Sgd::step() {
    for (std::size_t k = 0; k < m_params.size(); ++k) {
        const ParamView& p = m_params[k];
        if (m_momentum == 0.0f) {
            for (std::size_t i = 0; i < p.size; ++i) p.value[i] -= m_lr * p.grad[i];
            continue;
        }
        float* buf = m_buf[k].data();
        for (std::size_t i = 0; i < p.size; ++i) {
            // torch: the first step copies the gradient into the momentum buffer.
            buf[i] = m_first ? p.grad[i] : m_momentum * buf[i] + p.grad[i];
            p.value[i] -= m_lr * buf[i];
        }
    }
    m_first = false;
}

std::unique_ptr<Optimizer> makeOptimizer(const std::string& name, std::vector<ParamView> params,
                                         float lr) {
    if (!(lr > 0.0f) || !std::isfinite(lr))
        throw InputError("learning rate must be a positive number");
    if (name == "adam") return std::make_unique<Adam>(std::move(params), lr);
    if (name == "sgd") return std::make_unique<Sgd>(std::move(params), lr);
    throw InputError("unknown optimiser '" + name + "' (use adam or sgd)");
}

} // namespace lora
