#pragma once
// Combining adapters into a new one, as PEFT's add_weighted_adapter does for Linear layers.
// The result has α = r on every layer, so its scale is 1 (rsLoRA off). Ranks are per layer:
// a layer counts only the adapters that target it (so cat adds their ranks there, and a
// layer only one adapter targets keeps that adapter's rank; differing layers are saved
// with rank_pattern).
//   linear: same rank r for all; A = Σ √wᵢ·sᵢ·Aᵢ, B = Σ √wᵢ·Bᵢ (PEFT's formula; ΔW is only
//           Σ wᵢ·ΔWᵢ when the adapters' subspaces do not mix)
//   cat:    rank Σ rᵢ; A = [A₁; A₂; …], B = [w₁s₁B₁, w₂s₂B₂, …]; ΔW = Σ wᵢ·ΔWᵢ exactly
//   svd:    ΔW = Σ wᵢ·ΔWᵢ truncated to the chosen rank: B = U_r Σ_r, A = V_rᵀ
#include "nn/adapter_weights.h"

#include <string>
#include <vector>

namespace lora {

enum class CombineMethod { Linear, Cat, Svd };
CombineMethod combineMethodFromString(const std::string& s); // InputError for unknown names
const char* toString(CombineMethod method);

struct CombineOptions {
    CombineMethod method = CombineMethod::Cat;
    std::vector<float> weights; // one per adapter; empty means all 1
    int svdRank = 0; // svd only; 0: per layer, the largest input rank capped by min(in, out)
};

// Σ wᵢ·ΔWᵢ on one layer [out, in] (adapters not targeting it add nothing); weights as in
// CombineOptions, one per adapter.
Matrix weightedDelta(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                     const std::vector<float>& weights, int layer);

// `model` gives the layer shapes (its own adapters are ignored). InputError for fewer than
// two adapters, a weight count that does not match, non-finite weights, linear with
// different ranks on a layer, or an svd rank outside 1…min(out, in) of some layer.
AdapterWeights combineAdapters(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                               const CombineOptions& options);

} // namespace lora
