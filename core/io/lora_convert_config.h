#pragma once
// Where a converted LoRA file keeps its scales outside the tensors: PEFT's adapter_config.json,
// diffusers' lora_adapter_metadata header config, kohya's ss_network_* strings. The tensors'
// side is lora_convert.cpp.
#include "io/lora_file.h"

#include <map>
#include <string>
#include <vector>

namespace lora {

struct ModuleScale {
    std::string key; // as a PEFT pattern key: the full module path without base_model.model.
    int rank = 0;
    double alpha = 0; // with use_rslora false: scale·rank
};

// Whether the source's config (PEFT's or diffusers' header) sets fan_in_fan_out.
bool sourceFanInFanOut(const LoraSource& source);

// adapter_config.json: the source's own when it is a PEFT folder, else a fresh LoraConfig;
// r / lora_alpha / rank_pattern / alpha_pattern from `modules`, use_rslora false.
std::string peftConfigText(const LoraSource& source, const LoraFile& file,
                           const std::vector<ModuleScale>& modules, bool fanInFanOut);

// The lora_adapter_metadata JSON for a diffusers file, in the same terms.
std::string diffusersHeaderConfig(const LoraSource& source, const LoraFile& file,
                                  const std::vector<ModuleScale>& modules, bool fanInFanOut);

// ss_network_module (kept when set), ss_network_dim and ss_network_alpha: the shared value, or
// "Dynamic" where modules differ.
void setKohyaMetadata(std::map<std::string, std::string>& metadata,
                      const std::vector<ModuleScale>& modules);

} // namespace lora
