#include "io/lora_file_config.h"

#include "io/adapter_config.h"
#include "io/json_limits.h"
#include "io/peft_pattern.h"
#include "util/error.h"

#include <cmath>

namespace lora {

namespace {

using json = nlohmann::json;

const std::string kPeftPrefix = "base_model.model.";

double positiveNumber(const json& value, const std::string& what, const std::string& field) {
    if (!value.is_number() || !std::isfinite(value.get<double>()) || value.get<double>() <= 0)
        throw InputError(what + ": " + field + " must be a positive number (got " +
                         quotedValue(value) + ")");
    return value.get<double>();
}

} // namespace

ScaleRules::ScaleRules(const json* peftConfig, const std::map<std::string, std::string>& metadata,
                       const std::string& what)
    : m_what(what) {
    if (peftConfig) {
        m_config = *peftConfig;
    } else if (const auto it = metadata.find("lora_adapter_metadata"); it != metadata.end()) {
        const auto* text = reinterpret_cast<const std::uint8_t*>(it->second.data());
        checkJsonText(text, text + it->second.size(), JsonLimits{}, what, "lora_adapter_metadata");
        json parsed = json::parse(it->second);
        if (parsed.is_object()) m_config = std::move(parsed);
    }
    if (m_config) {
        const json& c = *m_config;
        m_rslora = c.value("use_rslora", false) == true;
        m_fanInFanOut = c.value("fan_in_fan_out", false) == true;
        if (const auto b = c.find("base_model_name_or_path"); b != c.end() && b->is_string())
            m_baseModel = b->get<std::string>();
        for (const char* field : {"r", "lora_alpha"})
            if (const auto v = c.find(field); v != c.end()) (void)positiveNumber(*v, what, field);
    }
    for (const char* key : {"ss_sd_model_name", "ss_base_model_version", "modelspec.architecture"})
        if (m_baseModel.empty())
            if (const auto it = metadata.find(key); it != metadata.end()) m_baseModel = it->second;
}

const json* ScaleRules::patternFor(const char* field, const std::string& module) const {
    if (!m_config) return nullptr;
    const std::string name =
        module.starts_with(kPeftPrefix) ? module.substr(kPeftPrefix.size()) : module;
    return peftPatternFor(*m_config, field, name, m_what);
}

double ScaleRules::alpha(const std::string& module, int rank,
                         const NamedTensor* alphaTensor) const {
    if (m_config) {
        const json* r = patternFor("rank_pattern", module);
        if (!r && m_config->contains("r")) r = &m_config->at("r");
        if (r && (!r->is_number_integer() || r->get<long long>() != rank))
            throw InputError(m_what + ": module " + module + " has rank " + std::to_string(rank) +
                             " in its tensors but the config gives r " + quotedValue(*r));
    }
    if (alphaTensor) {
        if (alphaTensor->data.size() != 1 || !(alphaTensor->data[0] > 0))
            throw InputError(m_what + ": tensor " + alphaTensor->name +
                             " is not one positive number");
        return alphaTensor->data[0];
    }
    if (m_config) {
        if (const json* p = patternFor("alpha_pattern", module))
            return positiveNumber(*p, m_what, "alpha_pattern for " + module);
        return m_config->contains("lora_alpha") ? m_config->at("lora_alpha").get<double>() : 8.0;
    }
    return rank; // kohya, LyCORIS and diffusers without an alpha: scale 1
}

double ScaleRules::scale(double alpha, int rank) const {
    if (rank <= 0) return 1.0;
    return m_rslora ? alpha / std::sqrt(static_cast<double>(rank)) : alpha / rank;
}

bool ScaleRules::isSavedWhole(const std::string& key) const {
    if (!m_config) return false;
    const auto it = m_config->find("modules_to_save");
    if (it == m_config->end() || !it->is_array()) return false;
    for (const json& entry : *it)
        if (entry.is_string()) {
            const std::string name = entry.get<std::string>();
            if (key.find("." + name + ".") != std::string::npos || key.starts_with(name + "."))
                return true;
        }
    return false;
}

} // namespace lora
