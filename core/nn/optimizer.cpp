#include "nn/optimizer.h"

#include "util/error.h"
#include "util/simd_clones.h"
#include "util/threads.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace lora {

void Optimizer::zeroGrad() {
    for (auto& p : m_params) std::memset(p.grad, 0, p.size * sizeof(float));
}

namespace {

// NaN or ±Inf, as an integer test on the exponent bits: unlike std::isfinite it stays
// correct under -ffast-math and keeps the fused loops below vectorised.
inline std::uint32_t nonFinite(float x) {
    std::uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return static_cast<std::uint32_t>((bits & 0x7f800000u) == 0x7f800000u);
}

// The parallel split only pays off once a view is far larger than a thread's start-up cost.
constexpr std::size_t kParallelElements = 1 << 16;

// One fused pass over a contiguous range: plain restrict pointers so that GCC vectorises
// it (sqrt and division included, thanks to -fno-math-errno).
// Returns non-zero if any updated value is not finite.
LORA_SIMD_CLONES std::uint32_t adamKernel(float* __restrict value, const float* __restrict grad,
                                          float* __restrict m, float* __restrict v, std::size_t n,
                                          float beta1, float beta2, float stepSize, float bc2Sqrt,
                                          float eps) {
    const float c1 = 1.0f - beta1, c2 = 1.0f - beta2;
    std::uint32_t bad = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const float g = grad[i];
        const float mi = beta1 * m[i] + c1 * g;
        const float vi = beta2 * v[i] + c2 * g * g;
        m[i] = mi;
        v[i] = vi;
        const float updated = value[i] - stepSize * mi / (std::sqrt(vi) / bc2Sqrt + eps);
        value[i] = updated;
        bad |= nonFinite(updated);
    }
    return bad;
}

// Elementwise, so splitting it across threads gives the same bits as one thread.
std::uint32_t adamPass(float* value, const float* grad, float* m, float* v, std::size_t n,
                       float beta1, float beta2, float stepSize, float bc2Sqrt, float eps) {
    const int threads = n >= kParallelElements ? computeThreads() : 1;
    if (threads == 1) return adamKernel(value, grad, m, v, n, beta1, beta2, stepSize, bc2Sqrt, eps);
    const std::size_t chunk = ((n + threads - 1) / threads + 15) / 16 * 16;
    std::uint32_t bad = 0;
#pragma omp parallel for num_threads(threads) schedule(static, 1) reduction(| : bad)
    for (int t = 0; t < threads; ++t) {
        const std::size_t begin = std::min(n, t * chunk);
        const std::size_t len = std::min(n, begin + chunk) - begin;
        bad |= adamKernel(value + begin, grad + begin, m + begin, v + begin, len, beta1, beta2,
                          stepSize, bc2Sqrt, eps);
    }
    return bad;
}

void checkState(bool ok, const char* what) {
    if (!ok) throw std::logic_error(std::string("optimizer state does not fit this ") + what);
}

} // namespace

Adam::Adam(std::vector<ParamView> params, float lr, float beta1, float beta2, float eps)
    : Optimizer(std::move(params)), m_lr(lr), m_beta1(beta1), m_beta2(beta2), m_eps(eps) {
    std::size_t total = 0;
    for (const auto& p : m_params) {
        m_offsets.push_back(total);
        total += p.size;
    }
    m_m.assign(total, 0.0f);
    m_v.assign(total, 0.0f);
}

bool Adam::step() {
    ++m_t;
    // Same arithmetic order as torch.optim.Adam (single-tensor path):
    // p -= (lr / bc1) · m / (√v / √bc2 + ε).
    const float bc1 = 1.0f - std::pow(m_beta1, static_cast<float>(m_t));
    const float bc2Sqrt = std::sqrt(1.0f - std::pow(m_beta2, static_cast<float>(m_t)));
    const float stepSize = m_lr / bc1;
    std::uint32_t bad = 0;
    for (std::size_t k = 0; k < m_params.size(); ++k) {
        const ParamView& p = m_params[k];
        bad |= adamPass(p.value, p.grad, m_m.data() + m_offsets[k], m_v.data() + m_offsets[k],
                        p.size, m_beta1, m_beta2, stepSize, bc2Sqrt, m_eps);
    }
    return bad == 0;
}

OptimizerState Adam::saveState() const {
    return {{m_m, m_v}, m_t};
}

void Adam::restoreState(const OptimizerState& state) {
    checkState(state.buffers.size() == 2 && state.buffers[0].size() == m_m.size() &&
                   state.buffers[1].size() == m_v.size(),
               "Adam optimiser");
    m_m = state.buffers[0];
    m_v = state.buffers[1];
    m_t = state.steps;
}

Sgd::Sgd(std::vector<ParamView> params, float lr, float momentum)
    : Optimizer(std::move(params)), m_lr(lr), m_momentum(momentum) {
    if (momentum != 0.0f)
        for (const auto& p : m_params) m_buf.emplace_back(p.size, 0.0f);
}

bool Sgd::step() {
    std::uint32_t bad = 0;
    for (std::size_t k = 0; k < m_params.size(); ++k) {
        const ParamView& p = m_params[k];
        float* __restrict value = p.value;
        const float* __restrict grad = p.grad;
        if (m_momentum == 0.0f) {
            for (std::size_t i = 0; i < p.size; ++i) {
                value[i] -= m_lr * grad[i];
                bad |= nonFinite(value[i]);
            }
            continue;
        }
        float* __restrict buf = m_buf[k].data();
        for (std::size_t i = 0; i < p.size; ++i) {
            // torch: the first step copies the gradient into the momentum buffer.
            buf[i] = m_first ? grad[i] : m_momentum * buf[i] + grad[i];
            value[i] -= m_lr * buf[i];
            bad |= nonFinite(value[i]);
        }
    }
    m_first = false;
    ++m_steps;
    return bad == 0;
}

OptimizerState Sgd::saveState() const {
    return {m_buf, m_steps};
}

void Sgd::restoreState(const OptimizerState& state) {
    checkState(state.buffers.size() == m_buf.size(), "SGD optimiser");
    for (std::size_t k = 0; k < m_buf.size(); ++k)
        checkState(state.buffers[k].size() == m_buf[k].size(), "SGD optimiser");
    m_buf = state.buffers;
    m_steps = state.steps;
    m_first = m_steps == 0;
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
