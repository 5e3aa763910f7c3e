#pragma once
// PEFT's rule for rank_pattern / alpha_pattern keys: a key applies to a module when
// re.match(rf"(.*\.)?({key})$", name) holds, the first such key winning. Written once for our
// own adapter folders and for any real PEFT or diffusers config.
#include <nlohmann/json.hpp>

#include <string>

namespace lora {

// The value config[field][key] of the first key matching `name` (a module path without
// base_model.model.), or nullptr. Plain names match by dotted suffix; regular expressions only
// up to 200 characters, so that a hostile config cannot make matching explode. InputError
// "<what>: <field> key '…' is not a regular expression" for one that does not compile.
const nlohmann::json* peftPatternFor(const nlohmann::json& config, const char* field,
                                     const std::string& name, const std::string& what);

} // namespace lora
