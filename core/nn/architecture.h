#pragma once
// Architecture strings such as "784-64-2" or "784-1000-2000-10": layer widths joined by '-'.
#include <string>
#include <vector>

namespace lora {

inline constexpr int kMaxLayerWidth = 1 << 16;
// fc1…fc1000: every name written ("fc<N>.weight") is one the readers accept (≤ 4 digits).
// Part of the model budget (nn/model_budget.h).
inline constexpr int kMaxLayers = 1000;

// Throws InputError naming the problem ("784--2": empty width, "0-10": width must be ≥ 1, ...).
std::vector<int> parseArchitecture(const std::string& arch);
std::string formatArchitecture(const std::vector<int>& widths);

// "fc1".."fcN" for N = widths.size() - 1.
std::vector<std::string> layerNames(int layerCount);
// N of a layer name "fc<N>" (N ≥ 1, written without sign or leading zero), else 0.
int layerNumber(const std::string& name);

// A targeted layer whose min(in, out) is below the rank: ΔW = BA there cannot have a rank above
// min(in, out), so the extra rank only adds parameters. Legal (seed 000 puts r = 4 on a 64→2
// layer), hence only warned about.
struct OversizedRank {
    std::string layer; // "fc2"
    int limit = 0;     // min(in, out)
};
// Targets empty = every layer; unknown names are skipped (the caller validates them).
std::vector<OversizedRank> oversizedRanks(const std::vector<int>& widths,
                                          const std::vector<std::string>& targets, int rank);
// "rank 4 exceeds min(in, out) = 2 of fc2; it adds parameters without adding expressiveness"
std::string describe(const OversizedRank& o, int rank);

} // namespace lora
