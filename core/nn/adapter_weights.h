#pragma once
// An adapter's weights apart from any model: what an adapter library keeps per name and what
// combining adapters reads and writes. Taking them out of a model and putting them back is
// exact (bit for bit).
#include "nn/mlp.h"

#include <vector>

namespace lora {

struct LayerAdapter {
    int layer = 0; // index into the model's layers (fc1 = 0)
    LoraSpec spec; // this layer's rank and alpha (PEFT's rank_pattern / alpha_pattern)
    Matrix A;      // [r, in]
    Matrix B;      // [out, r]

    // ΔW = s · B A  [out, in]
    Matrix delta() const { return spec.scale() * (B * A); }
};

struct AdapterWeights {
    LoraSpec spec;                    // the config's r and lora_alpha, rsLoRA and init
    std::vector<LayerAdapter> layers; // targeted layers, in ascending layer order

    std::size_t paramCount() const;
    const LayerAdapter* find(int layer) const; // nullptr when the layer is not targeted
    // True when every layer has the config's rank and alpha (no patterns needed).
    bool uniform() const;
    // The LoraConfig that recreates these layers on `model`: targets plus patterns.
    LoraConfig config(const Mlp& model) const;
};

// The adapters attached to `model` (InputError if none), relative to the true base W: a
// PiSSA layer comes out converted to a plain LoRA of rank 2r. The config's spec is the one
// most layers share (the first layer's on a tie), so patterns stay small.
AdapterWeights extractAdapter(const Mlp& model);
// InputError naming the layer when a shape, spec or value does not fit `model`.
void checkAdapter(const Mlp& model, const AdapterWeights& weights);
// checkAdapter, then replaces the model's adapters with these (untouched when a check fails).
void attachAdapter(Mlp& model, const AdapterWeights& weights);

} // namespace lora
