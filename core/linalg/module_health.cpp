#include "linalg/module_health.h"

#include <cstdio>

namespace lora {

namespace {

// Thresholds, each justified by the two-direction case σ₁ ≥ σ₂ with p = σ₁²/(σ₁² + σ₂²):
// - near rank 1: effective rank exp(H(p)) < 1.5, which for two directions means p > 0.87
//   (σ₂/σ₁ < 0.38 — and with more directions the tail is smaller still), or 99 % of Σσ² in
//   the first direction alone. Such a module is a rank-1 update stored at rank r (the many
//   "nearly rank 1" downloaded LoRAs of sd-scripts PR #2194).
// - one dominant direction: σ₁² holds at least half of Σσ² while more than one direction
//   is needed: with r ≥ 4 a uniform spectrum would give σ₁² ≤ 25 %, so ≥ 50 % is a clear skew
//   (at r 2 or 3 σ₁ holds ≥ 50 % or ≥ 33 % of any spectrum: not said there).
// - rank mostly unused: 99 % of Σσ² within half the rank, so a resize to r/2 keeps
//   ‖ΔW‖_F to ≥ 99.5 % (√0.99); only said for r ≥ 4, where halving still leaves ≥ 2.
constexpr double kNearRankOneEffective = 1.5;
constexpr double kDominantShare = 0.5;
constexpr double kUsedEnergy = 0.99;
constexpr int kSmallestJudgedRank = 4;

std::string format(const char* pattern, double a, double b, int c) {
    char line[160];
    std::snprintf(line, sizeof line, pattern, a, b, c);
    return line;
}

} // namespace

const char* toString(HealthVerdict verdict) {
    switch (verdict) {
    case HealthVerdict::Healthy:
        return "healthy";
    case HealthVerdict::NearRankOne:
        return "near rank 1";
    case HealthVerdict::OneDominant:
        return "one dominant direction";
    case HealthVerdict::RankMostlyUnused:
        return "rank mostly unused";
    case HealthVerdict::Zero:
        return "ΔW is zero";
    case HealthVerdict::NeedsBase:
        return "needs the base";
    }
    return "healthy";
}

ModuleHealth moduleHealth(const ModuleSpectrum& spectrum, int rank) {
    if (!spectrum.available)
        return {HealthVerdict::NeedsBase, "needs the base: the file alone does not give ΔW"};
    if (spectrum.deltaNorm <= 0 || spectrum.singularValues.empty())
        return {HealthVerdict::Zero, "ΔW is zero: this module changes nothing"};
    const auto& s = spectrum.singularValues;
    const double total = spectrum.deltaNorm * spectrum.deltaNorm;
    const double ratio = s.size() > 1 ? s[1] / s[0] : 0.0;
    const double topShare = s[0] * s[0] / total;
    const int used = spectrum.rankForEnergy(kUsedEnergy);
    const double eff = spectrum.effectiveRank;
    if (rank >= 2 && (eff < kNearRankOneEffective || used == 1))
        return {HealthVerdict::NearRankOne,
                format("near rank 1: σ₂/σ₁ %.3g, effective rank %.2f of r %d", ratio, eff, rank)};
    if (rank >= kSmallestJudgedRank && topShare >= kDominantShare)
        return {HealthVerdict::OneDominant,
                format("one dominant direction: σ₁ holds %.0f %% of ‖ΔW‖², effective rank "
                       "%.2f of r %d",
                       100 * topShare, eff, rank)};
    if (rank >= kSmallestJudgedRank && used <= rank / 2)
        return {HealthVerdict::RankMostlyUnused,
                format("rank mostly unused: 99 %% of ‖ΔW‖² in %.0f directions, effective rank "
                       "%.2f of r %d",
                       double(used), eff, rank)};
    return {HealthVerdict::Healthy,
            format("healthy: 99 %% of ‖ΔW‖² needs %.0f directions, effective rank %.2f of r %d",
                   double(used), eff, rank)};
}

} // namespace lora
