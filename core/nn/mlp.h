#pragma once
// A multilayer perceptron fc1 → ReLU → fc2 → … → fcN (logits), optionally carrying one
// LoRA adapter per targeted layer. With an adapter attached, only A and B are trainable.
#include "nn/linear.h"
#include "nn/lora_linear.h"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lora {

// PEFT's LoraConfig for our layers: one spec, with per-layer rank and alpha overrides
// (rank_pattern / alpha_pattern, keyed by exact layer name here).
struct LoraConfig {
    LoraConfig() = default;
    LoraConfig(const LoraSpec& spec, std::vector<std::string> targets = {})
        : spec(spec), targets(std::move(targets)) {}

    LoraSpec spec;
    std::vector<std::string> targets; // layer names; empty means every layer
    std::map<std::string, int> rankPattern;
    std::map<std::string, float> alphaPattern;

    LoraSpec specFor(const std::string& layer) const;
};

class Mlp {
public:
    explicit Mlp(const std::vector<int>& widths);
    explicit Mlp(const std::string& arch);
    Mlp(const Mlp& other); // deep copy of base weights and adapters
    Mlp& operator=(const Mlp& other);

    void initDefault(Rng& rng); // nn.Linear defaults for every layer

    const std::vector<int>& widths() const { return m_widths; }
    std::string architecture() const;
    int layerCount() const { return static_cast<int>(m_layers.size()); }
    int inputs() const { return m_widths.front(); }
    int outputs() const { return m_widths.back(); }
    Linear& layer(int i) { return m_layers[i]; }
    const Linear& layer(int i) const { return m_layers[i]; }
    std::string layerName(int i) const { return "fc" + std::to_string(i + 1); }
    int layerIndex(const std::string& name) const; // -1 if none

    std::size_t baseParamCount() const;
    std::size_t trainableParamCount() const;

    // Adapters. attachLora validates targets and pattern keys (InputError for unknown names,
    // bad ranks or alphas) before changing anything, then inits A/B.
    void attachLora(const LoraConfig& config, Rng& rng);
    // attachLora's checks alone; returns which layers the config targets.
    std::vector<bool> checkLora(const LoraConfig& config) const;
    void detachLora();
    bool hasLora() const;
    LoraLinear* adapter(int i) { return m_adapters[i].get(); }
    const LoraLinear* adapter(int i) const { return m_adapters[i].get(); }
    void setLoraEnabled(bool enabled);
    void mergeLora();
    void unmergeLora();
    std::size_t loraParamCount() const;

    // x: [batch, inputs] -> logits: [batch, outputs], a view valid until the next forward.
    // Activations are kept for backward.
    ConstMatrixMap forward(const Eigen::Ref<const Matrix>& x);
    // dlogits: [batch, outputs] -> gradients accumulated into the trainable tensors.
    // No input gradient is computed for the first layer.
    void backward(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& dlogits);
    // Sizes the workspace for batches of up to `rows`, so that training steps allocate
    // nothing; forward() grows it by itself when a larger batch arrives.
    void reserveBatch(int rows);

    void zeroGrad();
    std::vector<ParamView> trainableViews();

private:
    std::vector<int> m_widths;
    std::vector<Linear> m_layers;
    std::vector<std::unique_ptr<LoraLinear>> m_adapters; // null where not targeted
    // Workspace of `capacity` rows, of which a batch uses the first ones (row-major, so a
    // batch is contiguous). m_act[i] = ReLU output of hidden layer i (its pre-activation is
    // never stored: bias and ReLU are applied in place); m_act.back() holds the logits.
    // m_grad[i] receives dL/da_i and is turned into dL/dz_i in place.
    std::vector<Matrix> m_act, m_grad;
};

} // namespace lora
