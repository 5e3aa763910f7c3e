#pragma once
// PEFT's merge_and_unload for a real checkpoint on disk: every adapter module's ΔW added to the
// base weight it changes (W += ΔW in float32, stored back in the weight's dtype), streamed
// shard by shard and tensor by tensor so memory stays at a row block plus the adapter's
// factors. Every other tensor, the headers (shapes and dtypes do not change), the index and
// the folder's other files (config.json, tokenizer files …) are copied byte for byte, so the
// merged folder loads like the original. Everything that would make the merge wrong is
// refused before anything is written; the output appears at once, whole, or not at all.
#include "io/lora_module.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lora {

struct MergedModule {
    std::string module;  // as the adapter names it
    std::string tensor;  // the checkpoint weight it changed
    std::string shard;   // the file holding it (its name in a folder)
    double maxDelta = 0; // max |ΔW| added
};

struct CheckpointMerge {
    std::vector<MergedModule> modules; // in the adapter's order
    int tensorsMerged = 0, tensorsCopied = 0;
    int filesCopied = 0;     // a folder's other files
    std::uint64_t bytes = 0; // written
    double seconds = 0;
    bool folder = false;
};

// `base`: a .safetensors file or a checkpoint folder (io/checkpoint_index.h); `adapter`: any
// LoRA file or PEFT folder readLoraFile reads; `out`: a file for a file, a folder for a folder.
// `weight` multiplies every module's scale. InputError "<path>: …" naming the module and tensor
// for a module with no weight to merge into, a shape that differs, DoRA, a weight that is not
// F32/F16/BF16, non-finite values, a broken shard or index, or an output that may not be
// replaced.
CheckpointMerge mergeIntoCheckpoint(const std::string& base, const std::string& adapter,
                                    const std::string& out, double weight = 1.0);

} // namespace lora
