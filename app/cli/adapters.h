#pragma once
// What the `lora-cli adapters …` commands share (one command per cmd_adapters_*.cpp).
#include "cli/common.h"
#include "train/adapter_library.h"

namespace lora::cli {

// One adapter as list and import print it: r, α, targets, per-layer ranks, classes, size.
Json adapterJson(const Mlp& base, const AdapterEntry& entry);

} // namespace lora::cli
