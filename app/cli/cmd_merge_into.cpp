// lora-cli merge-into: PEFT's merge_and_unload for a real checkpoint on disk — a LoRA file of any
// format folded into a model.safetensors or a sharded checkpoint folder, streamed tensor by
// tensor, everything it does not change copied byte for byte.
#include "cli/common.h"
#include "linalg/checkpoint_merge.h"

namespace lora::cli {

int runMergeInto(const Args& args) {
    const std::string base = args.required("base");
    const std::string adapter = args.required("adapter");
    const std::string out = args.required("out");
    const double weight = args.number("scale", 1.0f);
    const CheckpointMerge result = mergeIntoCheckpoint(base, adapter, out, weight);
    Json modules = Json::array();
    for (const MergedModule& m : result.modules)
        modules.push_back({{"name", m.module},
                           {"tensor", m.tensor},
                           {"shard", m.shard},
                           {"max_abs_delta", m.maxDelta}});
    logLine("merged " + std::to_string(result.tensorsMerged) + " tensors, copied " +
            std::to_string(result.tensorsCopied) + ": " + std::to_string(result.bytes) +
            " bytes in " + std::to_string(result.seconds) + " s");
    printResult({{"command", "merge-into"},
                 {"base", base},
                 {"adapter", adapter},
                 {"out", out},
                 {"scale", weight},
                 {"modules", modules},
                 {"tensors_merged", result.tensorsMerged},
                 {"tensors_copied", result.tensorsCopied},
                 {"files_copied", result.filesCopied},
                 {"bytes", result.bytes},
                 {"seconds", result.seconds}});
    return 0;
}

} // namespace lora::cli
