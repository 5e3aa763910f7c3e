#include "io/peft_pattern.h"

#include "io/adapter_config.h"
#include "util/error.h"

#include <regex>

namespace lora {

namespace {

bool isPlainName(const std::string& key) {
    // Dots are left out: a dotted module path matches itself either way.
    return key.find_first_of("\\^$|?*+()[]{}") == std::string::npos;
}

} // namespace

const nlohmann::json* peftPatternFor(const nlohmann::json& config, const char* field,
                                     const std::string& name, const std::string& what) {
    const auto it = config.find(field);
    if (it == config.end() || !it->is_object()) return nullptr;
    for (const auto& [key, value] : it->items()) {
        if (isPlainName(key)) {
            if (name == key || name.ends_with("." + key)) return &value;
        } else if (key.size() <= 200) {
            try {
                if (std::regex_match(name, std::regex("(.*\\.)?(" + key + ")"))) return &value;
            } catch (const std::regex_error&) {
                throw InputError(what + ": " + field + " key " + quotedValue(nlohmann::json(key)) +
                                 " is not a regular expression");
            }
        }
    }
    return nullptr;
}

} // namespace lora
