#pragma once
// What merging an adapter into its base costs in float arithmetic: the largest logit change
// (merged vs the two-path forward) on a dataset, and the largest weight change after
// merge followed by unmerge. The model is left exactly as it was.
#include "data/dataset.h"
#include "nn/mlp.h"

namespace lora {

struct MergeReport {
    double maxLogitDiff = 0;    // max |logits_merged − logits_unmerged| over the data
    double maxUnmergeError = 0; // max |W after merge+unmerge − W before| over targeted layers
    float accuracyUnmerged = 0; // percent
    float accuracyMerged = 0;
};

// InputError if the model has no adapter, or if an adapter holds NaN/Inf (merging it would
// poison W: PEFT's safe_merge check).
MergeReport checkMerge(Mlp& model, const Dataset& data);

// A plain model (no adapters) whose weights are W + s·BA: zero-overhead inference, saved
// with saveModel like any base. Same errors as checkMerge.
Mlp mergedModel(const Mlp& model);

} // namespace lora
