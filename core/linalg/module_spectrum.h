#pragma once
// The spectrum of a real LoRA module's ΔW from its thin factors: for LoRA, DoRA and LoHa the
// SVD of scale·up·down through FactorSvd, never the [out, in] matrix; for LoKr the products of
// the two Kronecker factors' singular values (σ(A⊗B) = σ(A)·σ(B)); a LyCORIS full diff by a
// plain SVD. Then the figures an inspector shows: ‖ΔW‖_F, effective rank, rank for energy.
#include "io/lora_file.h"

#include <vector>

namespace lora {

struct ModuleSpectrum {
    bool available = false;             // false where the file alone does not give ΔW
    std::vector<double> singularValues; // of ΔW, scale included, descending
    double deltaNorm = 0;               // ‖ΔW‖_F = sqrt(Σσ²)
    double effectiveRank = 0;           // exp of the entropy of σᵢ²/Σσ² (0 for ΔW = 0)
    // The fewest leading directions holding at least that share of Σσ² (0 for ΔW = 0).
    int rankForEnergy(double share) const;
};

ModuleSpectrum moduleSpectrum(const LoraModule& module);

} // namespace lora
