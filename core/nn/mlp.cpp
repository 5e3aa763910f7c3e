#include "nn/mlp.h"

#include "nn/architecture.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <algorithm>

namespace lora {

LoraSpec LoraConfig::specFor(const std::string& layer) const {
    LoraSpec s = spec;
    if (const auto it = rankPattern.find(layer); it != rankPattern.end()) s.rank = it->second;
    if (const auto it = alphaPattern.find(layer); it != alphaPattern.end()) s.alpha = it->second;
    return s;
}

Mlp::Mlp(const std::vector<int>& widths) : m_widths(widths) {
    if (widths.size() < 2)
        throw InputError("a network needs at least an input and an output width");
    checkModelBudget(widths); // before the layers allocate
    for (std::size_t i = 0; i + 1 < widths.size(); ++i)
        m_layers.emplace_back(widths[i], widths[i + 1]);
    m_adapters.resize(m_layers.size());
}

Mlp::Mlp(const std::string& arch) : Mlp(parseArchitecture(arch)) {}

Mlp::Mlp(const Mlp& other) : m_widths(other.m_widths), m_layers(other.m_layers) {
    m_adapters.resize(m_layers.size());
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        if (!other.m_adapters[i]) continue;
        // Re-point the copied adapter at our own copy of the base layer.
        m_adapters[i] = std::make_unique<LoraLinear>(*other.m_adapters[i]);
        m_adapters[i]->rebind(m_layers[i]);
    }
}

Mlp& Mlp::operator=(const Mlp& other) {
    if (this != &other) {
        Mlp copy(other);
        m_widths = std::move(copy.m_widths);
        m_layers = std::move(copy.m_layers);
        // Moving the vector keeps its buffer, so the adapters still point at these layers.
        m_adapters = std::move(copy.m_adapters);
        m_act.clear();
        m_grad.clear();
    }
    return *this;
}

void Mlp::initDefault(Rng& rng) {
    for (auto& layer : m_layers) layer.initDefault(rng);
}

std::string Mlp::architecture() const {
    return formatArchitecture(m_widths);
}

int Mlp::layerIndex(const std::string& name) const {
    for (int i = 0; i < layerCount(); ++i)
        if (layerName(i) == name) return i;
    return -1;
}

std::size_t Mlp::baseParamCount() const {
    std::size_t n = 0;
    for (const auto& layer : m_layers) n += layer.paramCount();
    return n;
}

std::size_t Mlp::trainableParamCount() const {
    if (hasLora()) return loraParamCount();
    std::size_t n = 0;
    for (const auto& layer : m_layers)
        if (!layer.frozen()) n += layer.paramCount();
    return n;
}

std::vector<bool> Mlp::checkLora(const LoraConfig& config) const {
    std::vector<bool> targeted(m_layers.size(), config.targets.empty());
    for (const auto& name : config.targets) {
        const int i = layerIndex(name);
        if (i < 0)
            throw InputError("target layer '" + name + "' does not exist in " + architecture() +
                             " (layers are fc1-fc" + std::to_string(layerCount()) + ")");
        if (targeted[i]) throw InputError("target layer '" + name + "' is listed twice");
        targeted[i] = true;
    }
    for (const auto& [name, rank] : config.rankPattern)
        if (layerIndex(name) < 0 || !targeted[layerIndex(name)])
            throw InputError("rank_pattern names '" + name + "', which is not a targeted layer");
    for (const auto& [name, alpha] : config.alphaPattern)
        if (layerIndex(name) < 0 || !targeted[layerIndex(name)])
            throw InputError("alpha_pattern names '" + name + "', which is not a targeted layer");
    std::vector<int> ranks(m_layers.size(), 0);
    for (int i = 0; i < layerCount(); ++i) {
        if (!targeted[i]) continue;
        const LoraSpec spec = config.specFor(layerName(i));
        spec.validate();
        ranks[i] = spec.rank;
        const int widest = std::min(m_layers[i].in(), m_layers[i].out());
        if (spec.init == LoraInit::Pissa && spec.rank > widest)
            throw InputError(
                "PiSSA needs a rank of at most min(in, out) = " + std::to_string(widest) + " for " +
                layerName(i) + ", not " + std::to_string(spec.rank));
    }
    checkAdapterBudget(m_widths, targeted, ranks);
    return targeted;
}

void Mlp::attachLora(const LoraConfig& config, Rng& rng) {
    const std::vector<bool> targeted = checkLora(config); // before touching anything
    detachLora();
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        m_layers[i].setFrozen(true);
        if (!targeted[i]) continue;
        m_adapters[i] = std::make_unique<LoraLinear>(
            m_layers[i], config.specFor(layerName(static_cast<int>(i))));
        m_adapters[i]->init(rng);
    }
}

void Mlp::detachLora() {
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        if (m_adapters[i]) {
            m_adapters[i]->unmerge();
            m_adapters[i]->restoreBase(); // PiSSA had taken W_r out of W
        }
        m_adapters[i].reset();
        m_layers[i].setFrozen(false);
    }
}

bool Mlp::hasLora() const {
    return std::any_of(m_adapters.begin(), m_adapters.end(),
                       [](const auto& a) { return a != nullptr; });
}

void Mlp::setLoraEnabled(bool enabled) {
    for (auto& a : m_adapters)
        if (a) a->enabled = enabled;
}

void Mlp::mergeLora() {
    for (auto& a : m_adapters)
        if (a) a->merge();
}

void Mlp::unmergeLora() {
    for (auto& a : m_adapters)
        if (a) a->unmerge();
}

std::size_t Mlp::loraParamCount() const {
    std::size_t n = 0;
    for (const auto& a : m_adapters)
        if (a) n += a->paramCount();
    return n;
}

void Mlp::reserveBatch(int rows) {
    const std::size_t n = m_layers.size();
    if (m_act.size() == n && m_act.front().rows() >= rows) return;
    checkModelBudget(m_widths, rows); // the workspace grows with the batch
    m_act.resize(n);
    m_grad.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        m_act[i].resize(rows, m_layers[i].out());
        // The logits' gradient arrives from outside; only hidden layers need a buffer.
        m_grad[i].resize(i + 1 < n ? rows : 0, m_layers[i].out());
    }
}

ConstMatrixMap Mlp::forward(const Eigen::Ref<const Matrix>& x) {
    const Eigen::Index rows = x.rows();
    reserveBatch(static_cast<int>(rows));
    const std::size_t n = m_layers.size();
    for (std::size_t i = 0; i < n; ++i) {
        const auto in = i == 0 ? x : Eigen::Ref<const Matrix>(m_act[i - 1].topRows(rows));
        const Activation act = i + 1 < n ? Activation::Relu : Activation::None;
        auto out = m_act[i].topRows(rows);
        if (m_adapters[i])
            m_adapters[i]->forward(out, in, act);
        else
            m_layers[i].forward(out, in, act);
    }
    return ConstMatrixMap(m_act.back().data(), rows, m_act.back().cols());
}

void Mlp::backward(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& dlogits) {
    const Eigen::Index rows = x.rows();
    const std::size_t n = m_layers.size();
    for (std::size_t i = n; i-- > 0;) {
        const bool wantDx = i > 0;
        const auto in = i == 0 ? x : Eigen::Ref<const Matrix>(m_act[i - 1].topRows(rows));
        const auto dy = i + 1 == n ? dlogits : Eigen::Ref<const Matrix>(m_grad[i].topRows(rows));
        // m_grad[i-1] receives dL/da_{i-1}; the first layer has nothing to pass back.
        Eigen::Ref<Matrix> dx = m_grad[wantDx ? i - 1 : 0].topRows(wantDx ? rows : 0);
        if (m_adapters[i])
            m_adapters[i]->backward(dx, dy, in, wantDx);
        else
            m_layers[i].backward(dx, dy, in, wantDx);
        if (wantDx) reluBackward(dx, dx, m_act[i - 1].topRows(rows));
    }
}

void Mlp::zeroGrad() {
    for (auto& layer : m_layers) layer.zeroGrad();
    for (auto& a : m_adapters)
        if (a) a->zeroGrad();
}

std::vector<ParamView> Mlp::trainableViews() {
    std::vector<ParamView> views;
    for (std::size_t i = 0; i < m_layers.size(); ++i) {
        const std::string name = layerName(static_cast<int>(i));
        m_layers[i].trainableViews(name, views);
        if (m_adapters[i]) m_adapters[i]->trainableViews(name, views);
    }
    return views;
}

} // namespace lora
