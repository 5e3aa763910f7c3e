#pragma once
// How far a combined adapter is from what it stands for: per layer, its ΔW against the
// weighted sum Σ wᵢ·ΔWᵢ of the inputs' (weightedDelta). cat is exact up to float rounding,
// svd loses what the truncation drops, and linear mixes the inputs' factors (the cross
// terms √wᵢwⱼ·BᵢAⱼ), which can be far off. `lora-cli adapters combine` prints the same max
// gap per layer.
#include "nn/adapter_combine.h"

#include <vector>

namespace lora {

struct CombineGap {
    int layer = 0;
    int rank = 0;            // of the combined adapter on this layer
    double maxAbsGap = 0;    // max |ΔW_new − Σ wᵢΔWᵢ|
    double targetMaxAbs = 0; // max |Σ wᵢΔWᵢ|
    double relativeGap = 0; // ‖ΔW_new − Σ wᵢΔWᵢ‖_F / ‖Σ wᵢΔWᵢ‖_F; 0 when both are 0
};

// One entry per layer of `combined`, in its order. `model` gives the layer shapes; weights
// as in CombineOptions (empty: all 1).
std::vector<CombineGap> combineGaps(const Mlp& model, const std::vector<AdapterWeights>& inputs,
                                    std::vector<float> weights, const AdapterWeights& combined);

} // namespace lora
