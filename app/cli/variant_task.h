#pragma once
// What `lora-cli variants` and `scaling` share: the base, its task and data, checked against
// every variant before the data loads, and a progress line per finished run.
#include "cli/common.h"
#include "train/variants.h"

namespace lora::cli {

struct VariantTask {
    LoadedModel base;
    std::vector<int> classes;
    TaskData data;
};

// --base, --classes and the data, after checking every variant against the base, so a bad one
// costs nothing and prints one line.
VariantTask loadVariantTask(const Args& args, const std::vector<LoraVariant>& variants,
                            const std::vector<std::string>& targets);

// "kaiming r4: accuracy … %, ‖ΔW‖ …" for the last of `runs`.
void printRunProgress(const std::vector<VariantRun>& runs);

} // namespace lora::cli
