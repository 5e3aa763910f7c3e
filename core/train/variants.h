#pragma once
// LoRA variants side by side: the same base, task, data order and schedule, trained once
// per variant (initialisation × scaling rule × rank), so their loss curves can be overlaid.
// A rank sweep at fixed α with both scaling rules shows why rsLoRA exists: under α/r the
// update ‖ΔW‖ a run reaches shrinks as r grows, under α/√r it does not.
#include "data/dataset.h"
#include "nn/adapter_weights.h"
#include "train/trainer.h"

#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace lora {

struct LoraVariant {
    LoraSpec spec; // init, rsLoRA, rank and alpha

    // "kaiming", "gaussian", "pissa", each optionally followed by "+rslora".
    static LoraVariant parse(const std::string& text, int rank, float alpha);
    std::string name() const;
};

struct VariantRun {
    LoraVariant variant;
    TrainResult run;        // step losses included
    float accuracy = 0;     // percent, test split
    double deltaNorm = 0;   // √Σ‖ΔWₗ‖²_F against the true base (PiSSA converted)
    std::size_t params = 0; // trainable
    AdapterWeights adapter; // the trained adapter, against the true base (PiSSA converted)
};

// Called after each finished variant with the runs so far.
using VariantProgress = std::function<void(const std::vector<VariantRun>&)>;

// InputError for a variant `base` cannot take (a bad spec, a target it lacks, PiSSA above a
// layer's width), before anything trains.
void checkVariants(const Mlp& base, const std::vector<LoraVariant>& variants,
                   const std::vector<std::string>& targets);

// InputError for no variants, bad specs (e.g. a PiSSA rank above a layer's width) or a
// diverging run. Every variant draws its initialisation from Rng(seed).
std::vector<VariantRun> compareVariants(const Mlp& base, const Dataset& train, const Dataset& test,
                                        const std::vector<LoraVariant>& variants,
                                        const std::vector<std::string>& targets,
                                        const TrainOptions& options, std::uint64_t seed,
                                        const VariantProgress& progress = {},
                                        std::stop_token stop = {});

} // namespace lora
