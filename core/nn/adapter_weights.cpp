#include "nn/adapter_weights.h"

#include "util/error.h"

namespace lora {

std::size_t AdapterWeights::paramCount() const {
    std::size_t n = 0;
    for (const auto& l : layers) n += static_cast<std::size_t>(l.A.size() + l.B.size());
    return n;
}

AdapterWeights extractAdapter(const Mlp& model) {
    AdapterWeights weights;
    for (int i = 0; i < model.layerCount(); ++i) {
        const LoraLinear* a = model.adapter(i);
        if (!a) continue;
        weights.spec = a->spec();
        weights.layers.push_back({i, a->A, a->B});
    }
    if (weights.layers.empty()) throw InputError("the model has no LoRA adapter attached");
    return weights;
}

void attachAdapter(Mlp& model, const AdapterWeights& weights) {
    weights.spec.validate();
    if (weights.layers.empty()) throw InputError("the adapter has no layers");
    const int r = weights.spec.rank;
    LoraConfig config{weights.spec, {}};
    int previous = -1;
    for (const auto& l : weights.layers) {
        if (l.layer <= previous || l.layer >= model.layerCount())
            throw InputError("adapter layer index " + std::to_string(l.layer) +
                             " is out of order or not in " + model.architecture());
        previous = l.layer;
        const std::string name = model.layerName(l.layer);
        const Linear& base = model.layer(l.layer);
        if (l.A.rows() != r || l.A.cols() != base.in())
            throw InputError(name + ".lora_A is [" + std::to_string(l.A.rows()) + "," +
                             std::to_string(l.A.cols()) + "] but must be [" + std::to_string(r) +
                             "," + std::to_string(base.in()) + "]");
        if (l.B.rows() != base.out() || l.B.cols() != r)
            throw InputError(name + ".lora_B is [" + std::to_string(l.B.rows()) + "," +
                             std::to_string(l.B.cols()) + "] but must be [" +
                             std::to_string(base.out()) + "," + std::to_string(r) + "]");
        if (!l.A.allFinite() || !l.B.allFinite())
            throw InputError(name + ": the adapter holds NaN or Inf values");
        config.targets.push_back(name);
    }
    Rng unused(0); // attachLora initialises A and B; ours replace them
    model.attachLora(config, unused);
    for (const auto& l : weights.layers) {
        model.adapter(l.layer)->A = l.A;
        model.adapter(l.layer)->B = l.B;
    }
}

} // namespace lora
