#pragma once
// How a real LoRA file scales each module: PEFT's adapter_config.json (r, lora_alpha,
// use_rslora, rank_pattern / alpha_pattern with PEFT's matching rule, fan_in_fan_out,
// modules_to_save), diffusers' config in the lora_adapter_metadata header key, and the
// per-module alpha tensors of kohya and LyCORIS (alpha = rank where a file has none).
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>

namespace lora {

class ScaleRules {
public:
    // InputError "<what>: …" for a config whose values are not what PEFT writes.
    ScaleRules(const nlohmann::json* peftConfig, const std::map<std::string, std::string>& metadata,
               const std::string& what);

    // The module's alpha: its alpha tensor, else alpha_pattern / lora_alpha, else `rank`.
    // InputError when the config's r (or rank_pattern) disagrees with the tensors' `rank`, or
    // the alpha tensor is not one finite positive number.
    double alpha(const std::string& module, int rank, const NamedTensor* alphaTensor) const;
    double scale(double alpha, int rank) const; // α/r, or α/√r with use_rslora
    bool fanInFanOut() const { return m_fanInFanOut; }
    bool rslora() const { return m_rslora; }
    // A whole weight kept by modules_to_save (a key with no adapter suffix).
    bool isSavedWhole(const std::string& key) const;
    std::string baseModel() const { return m_baseModel; }

private:
    // The first pattern key PEFT would pick for `module` (its name without base_model.model.).
    const nlohmann::json* patternFor(const char* field, const std::string& module) const;

    std::string m_what;
    std::optional<nlohmann::json> m_config; // PEFT's, or diffusers' from the header
    bool m_rslora = false, m_fanInFanOut = false;
    std::string m_baseModel;
};

} // namespace lora
