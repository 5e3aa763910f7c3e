#pragma once
// The strict half of reading a PEFT adapter_config.json: every LoraConfig field that would
// change what the adapter computes must be one we implement, or the file is refused by the
// field's name — a silently ignored field would load a different model than PEFT's.
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace lora {

// A config value as messages quote it: its JSON text when short and plain, else its kind
// ("a list of 300 items"), so no message grows with the file.
std::string quotedValue(const nlohmann::json& value);

// InputError "<configPath>: …" for a boolean field that is not a JSON boolean, a field we do
// not implement set to anything but its neutral value (bias "none", modules_to_save null, …),
// or a target_modules that is neither a list of names nor a plain name.
void checkConfigFields(const nlohmann::json& config, const std::string& configPath);

// InputError when target_modules (if given) and the layers holding tensors disagree: a listed
// module with no tensors, or tensors for a module the list leaves out.
void checkTargetModules(const nlohmann::json& config, const std::string& configPath,
                        const std::vector<std::string>& layersWithTensors);

} // namespace lora
