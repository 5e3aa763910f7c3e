#pragma once
// One module of a real LoRA file built from its tensors: the halves checked against each
// other (shapes, ranks, nothing missing) and turned into the thin factors of its ΔW.
#include "io/lora_file_config.h"
#include "io/lora_file_keys.h"
#include "io/lora_module.h"

#include <map>
#include <string>

namespace lora {

struct ModuleParts {
    const std::string& name;
    const std::map<KeyPart, const NamedTensor*>& tensors;
    const std::string& what; // the file, for messages
};

// InputError "<what>: module <name> …" naming the fault.
LoraModule buildModule(const ModuleParts& parts, const ScaleRules& rules);

} // namespace lora
