#pragma once
// A real LoRA file written back with some modules' factors replaced (a resize): the same
// keys in the same order, the same dtypes (or one chosen for the new factors) and metadata,
// the changed modules' alpha tensors — or, for PEFT folders and diffusers' header config, the
// config's r / lora_alpha / rank_pattern / alpha_pattern — updated so that every module keeps
// its scale. A PEFT source becomes a PEFT folder, any other a single file; both atomically.
#include "io/lora_file.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lora {

struct ModuleReplacement {
    std::string module;
    Matrix up, down; // [out, r′], [r′, in·kh·kw]
    double alpha = 0;
};

struct LoraWriteOptions {
    std::optional<TensorDType> dtype;            // of every floating tensor; none: as read
    std::map<std::string, std::string> metadata; // set or replaced in the header
};

// The bytes written (all files).
std::uint64_t writeLoraFile(const std::string& out, const LoraSource& source, const LoraFile& file,
                            const std::vector<ModuleReplacement>& replaced,
                            const LoraWriteOptions& options);

} // namespace lora
