#pragma once
// The `lora-cli adapters …` actions, split over cmd_adapters*.cpp.
#include "cli/common.h"
#include "train/adapter_library.h"

namespace lora::cli {

// One adapter as list and import print it: r, α, targets, per-layer ranks, classes, size.
Json adapterJson(const Mlp& base, const AdapterEntry& entry);

int runMergeAdapter(const std::vector<std::string>& argv);
int runUnmergeAdapter(const std::vector<std::string>& argv);
int runCombineAdapters(const std::vector<std::string>& argv);

} // namespace lora::cli
