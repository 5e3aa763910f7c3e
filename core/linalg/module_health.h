#pragma once
// A one-line verdict on how a real LoRA module uses its rank, from its ΔW spectrum alone:
// what an inspector's health column and the selected module's health line say.
#include "linalg/module_spectrum.h"

#include <string>

namespace lora {

enum class HealthVerdict { Healthy, NearRankOne, OneDominant, RankMostlyUnused, Zero, NeedsBase };

struct ModuleHealth {
    HealthVerdict verdict = HealthVerdict::Healthy;
    std::string text; // e.g. "near rank 1: σ₂/σ₁ 0.03, effective rank 1.1 of r 16"
};

const char* toString(HealthVerdict verdict); // "healthy", "near rank 1", …

// spectrum: of ΔW (scale included, descending); rank: the module's r (its factors' inner size).
ModuleHealth moduleHealth(const ModuleSpectrum& spectrum, int rank);

} // namespace lora
