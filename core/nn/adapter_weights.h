#pragma once
// An adapter's weights apart from any model: what an adapter library keeps per name and what
// combining adapters reads and writes. Taking them out of a model and putting them back is
// exact (bit for bit).
#include "nn/mlp.h"

#include <vector>

namespace lora {

struct LayerAdapter {
    int layer = 0; // index into the model's layers (fc1 = 0)
    Matrix A;      // [r, in]
    Matrix B;      // [out, r]
};

struct AdapterWeights {
    LoraSpec spec;                    // one rank and alpha for every targeted layer
    std::vector<LayerAdapter> layers; // targeted layers, in ascending layer order

    float scale() const { return spec.scale(); }
    std::size_t paramCount() const;
    // ΔW of one entry: s · B A  [out, in]
    Matrix delta(const LayerAdapter& layer) const { return scale() * (layer.B * layer.A); }
};

// The adapters attached to `model` (InputError if none).
AdapterWeights extractAdapter(const Mlp& model);
// Checks every shape against `model` (InputError naming the layer), then replaces the
// model's adapters with these. The model is untouched when a check fails.
void attachAdapter(Mlp& model, const AdapterWeights& weights);

} // namespace lora
