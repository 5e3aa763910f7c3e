#pragma once
// Resizing a LoRA module as kohya's resize_lora.py means it, computed from the thin factors:
// the best rank-r′ part of up·down (Eckart–Young, through FactorSvd, never the formed ΔW),
// stored as up′ = U·Σ and down′ = Vᵀ, with alpha set so that the module's scale is kept
// (α′ = s·r′, or s·√r′ under rsLoRA). The rank comes from a fixed --rank or one of kohya's
// dynamic rules, each capped.
#include "io/lora_module.h"

#include <string>
#include <vector>

namespace lora {

enum class ResizeMethod { Rank, SvRatio, SvFro, SvCumulative };

struct ResizeRule {
    ResizeMethod method = ResizeMethod::Rank;
    double value = 0; // the rank, or the rule's parameter
    int maxRank = 0;  // a cap on the dynamic rules' rank; 0 = none
};

// The rank a rule keeps of the descending singular values `sigma`: Rank: value; SvRatio: the
// σ > σ₀/value; SvFro: the fewest whose Σσ² reaches value²·Σσ²; SvCumulative: the fewest
// whose Σσ reaches value·Σσ. At least 1, at most the cap and sigma's size.
int keptRank(const std::vector<double>& sigma, const ResizeRule& rule);

struct ResizedModule {
    std::string name;
    int rank = 0, newRank = 0;
    double froRetained = 1; // ‖ΔW′‖_F / ‖ΔW‖_F
    bool resized = false;   // false: kept as it was (then `reason` says why, unless r′ = r)
    std::string reason;
    Matrix up, down; // the new factors when resized
    double alpha = 0;
};

// LoRA modules are resized; LoHa, LoKr, DoRA and whole weights are kept with their reason.
ResizedModule resizeModule(const LoraModule& module, const ResizeRule& rule, bool rslora);

} // namespace lora
