#pragma once
// The one budget every model size passes before anything is allocated for it: the CLI's
// flags, ExperimentSettings (GUI and session files), the model loader and the GUI's controls
// all ask here, so a size refused in one place is refused everywhere with the same words and
// every file the program writes is one it reads back. The limits are ~10× what the tutorials
// need (seed 001: 784-1000-2000-10 is 2.8 M parameters and, at batch 512, 1.9 M activations).
#include "nn/architecture.h" // kMaxLayers
#include "nn/lora_linear.h"  // kMaxRank
#include "nn/tensor.h"

#include <string>
#include <vector>

namespace lora {

// Weights and biases of the base: 2^25 floats = 128 MiB (Adam keeps three more copies).
inline constexpr long long kMaxParameters = 1LL << 25;
// batch × the sum of the widths (inputs included): the batch, every layer's output and its
// gradient are of that order; 2^25 floats = 128 MiB.
inline constexpr long long kMaxActivations = 1LL << 25;
// Layers: kMaxLayers (nn/architecture.h, where the parser applies it). Rank: kMaxRank.
// A matrix given to svd/rank: elements, and m·n·min(m, n), which the SVD's time grows with
// (measured here: 1536² 2.1 s, 2048² 4.7 s; the cap 2^32 ≈ 1625³ takes about 2.5 s).
inline constexpr long long kMaxSvdElements = 1LL << 22;
inline constexpr long long kMaxSvdWork = 1LL << 32;

long long parameterCount(const std::vector<int>& widths); // Σ (in + 1) · out
long long activationCount(const std::vector<int>& widths, long long batch);

// InputError naming the architecture and the limit it exceeds (layers, parameters).
void checkModelBudget(const std::vector<int>& widths);
// checkModelBudget, and batch × Σ widths within kMaxActivations.
void checkModelBudget(const std::vector<int>& widths, long long batch);
// Adapter parameters Σ r·(in + out) over targeted layers (`targeted` empty = every layer)
// within kMaxParameters; the rank itself is LoraSpec::validate's (kMaxRank).
void checkAdapterBudget(const std::vector<int>& widths, const std::vector<bool>& targeted,
                        const std::vector<int>& ranks);
// The largest batch checkModelBudget(widths, batch) accepts, and the largest rank that keeps
// the adapters on `targeted` layers (empty = every layer) within budget: what the GUI's
// controls offer.
long long maxBatchFor(const std::vector<int>& widths);
int maxRankFor(const std::vector<int>& widths, const std::vector<bool>& targeted);
// A rank built by adding ranks up (combine --method cat): at most kMaxRank.
void checkSummedRank(long long rank, const std::string& what);
// A rows × cols matrix for an SVD: `what` names it ("--matrix m.txt").
void checkSvdBudget(long long rows, long long cols, const std::string& what);

// Finite in, finite out: InputError "<what> is not finite (…)" when a value overflowed.
void checkFinite(const Eigen::Ref<const Matrix>& m, const std::string& what);

} // namespace lora
