#pragma once
// A multilayer perceptron fc1 → ReLU → fc2 → … → fcN (logits), optionally carrying one
// LoRA adapter per targeted layer. With an adapter attached, only A and B are trainable.
#include "nn/linear.h"
#include "nn/lora_linear.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lora {

struct LoraConfig {
    LoraSpec spec;
    std::vector<std::string> targets; // layer names; empty means every layer
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

    // Adapters. attachLora validates targets (InputError for unknown names) and inits A/B.
    void attachLora(const LoraConfig& config, Rng& rng);
    void detachLora();
    bool hasLora() const;
    LoraLinear* adapter(int i) { return m_adapters[i].get(); }
    const LoraLinear* adapter(int i) const { return m_adapters[i].get(); }
    void setLoraEnabled(bool enabled);
    void mergeLora();
    void unmergeLora();
    std::size_t loraParamCount() const;

    // x: [batch, inputs] -> logits: [batch, outputs]. Activations are kept for backward.
    const Matrix& forward(const Eigen::Ref<const Matrix>& x);
    // dlogits: [batch, outputs] -> gradients accumulated into the trainable tensors.
    // No input gradient is computed for the first layer.
    void backward(const Eigen::Ref<const Matrix>& x, const Eigen::Ref<const Matrix>& dlogits);

    void zeroGrad();
    std::vector<ParamView> trainableViews();

private:
    void resizeWorkspace(int batch);

    std::vector<int> m_widths;
    std::vector<Linear> m_layers;
    std::vector<std::unique_ptr<LoraLinear>> m_adapters; // null where not targeted
    // Workspace: z[i] = pre-activation of layer i, a[i] = ReLU(z[i]); dz for backward.
    std::vector<Matrix> m_z, m_a, m_dz, m_da;
};

} // namespace lora
