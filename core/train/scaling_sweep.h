#pragma once
// The rank sweep behind "why rsLoRA": one initialisation trained at each rank under α/r and
// under α/√r, with everything else (base, data, order, schedule, α) fixed. Under α/r the
// update ‖ΔW‖ a run reaches shrinks as r grows; under α/√r it holds. The Init & scaling tab
// and `lora-cli scaling` both run it through here, so their rows pair runs the same way.
#include "train/variants.h"

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace lora {

// One rank of the sweep: the update reached, the scale, the test accuracy (percent) and the
// last batch's loss, under α/r and under α/√r (the *Rs fields).
struct ScalePoint {
    int rank = 0;
    double norm = 0, normRs = 0;
    double scale = 0, scaleRs = 0;
    float accuracy = 0, accuracyRs = 0;
    float finalLoss = 0, finalLossRs = 0;
};

struct ScalingSweep {
    std::vector<int> ranks{1, 2, 4, 8, 16, 32, 64}; // trained in this order
    float alpha = 8.0f;
    LoraInit init = LoraInit::Kaiming;
    std::vector<std::string> targets; // empty: every layer

    // Two variants per rank, α/r first: what the sweep trains, for checking up front.
    std::vector<LoraVariant> variants() const;
};

// A rank's point from its two runs (α/r, then α/√r, as ScalingSweep::variants orders them).
ScalePoint scalePoint(const VariantRun& standard, const VariantRun& rslora);

// Called after each finished rank with its point.
using ScalePointProgress = std::function<void(const ScalePoint&)>;

// Trains the sweep rank by rank and returns one point per finished rank, in rank order. Every
// variant is checked against `base` before anything trains (InputError: a bad rank or α, a
// target the base lacks, PiSSA above a layer's width); `runProgress` sees each finished run as
// compareVariants reports it. A stop ends the sweep after the last whole rank.
std::vector<ScalePoint> runScalingSweep(const Mlp& base, const Dataset& train, const Dataset& test,
                                        const ScalingSweep& sweep, const TrainOptions& options,
                                        std::uint64_t seed,
                                        const ScalePointProgress& pointProgress = {},
                                        const VariantProgress& runProgress = {},
                                        std::stop_token stop = {});

} // namespace lora
