#pragma once
// Two real LoRA modules of the same weight compared from their thin factors, never forming
// ΔW: the cosine of ΔW₁ and ΔW₂ as vectors, and the LoRA paper's subspace similarity φ of
// their output-side (left) singular directions. What the Adapter inspector's Compare shows.
#include "io/lora_file.h"

#include <Eigen/Core>
#include <optional>
#include <vector>

namespace lora {

struct ModuleComparison {
    bool available = false; // false for LoKr, whole weights or shapes that differ
    double cosine = 0; // ⟨ΔW₁, ΔW₂⟩_F / (‖ΔW₁‖_F ‖ΔW₂‖_F); 0 when either is zero
    // φ(i, j) = ‖U₁[:, :i]ᵀ U₂[:, :j]‖_F² / min(i, j) over i ≤ k₁, j ≤ k₂: grid(i−1, j−1).
    Eigen::MatrixXd phi;
    double phiTop = 0;  // φ(1, 1): do the strongest directions agree?
    double phiFull = 0; // φ(k, k), k = min(k₁, k₂): how much the k-dim subspaces overlap
};

// ⟨s₁B₁A₁, s₂B₂A₂⟩_F = s₁s₂·tr((B₁ᵀB₂)(A₂A₁ᵀ)): b: [out, r], a: [r, in] -> a scalar in
// O((out + in)·r₁·r₂).
double factorInner(const Matrix& b1, const Matrix& a1, double s1, const Matrix& b2,
                   const Matrix& a2, double s2);

// Both modules' up [out, k] and down [k, in·kh·kw] (LoRA, DoRA, LoHa's face-splitting
// factors). The left singular vectors come from FactorSvd, so each side costs its own
// O((out + in)·k²).
ModuleComparison compareModules(const LoraModule& first, const LoraModule& second);

// Per module of `first`, in its order, the comparison with the module of the same name in
// `second`; nullopt where `second` has none.
std::vector<std::optional<ModuleComparison>> compareFiles(const LoraFile& first,
                                                          const LoraFile& second);

} // namespace lora
