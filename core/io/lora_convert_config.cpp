#include "io/lora_convert_config.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace lora {

namespace {

using json = nlohmann::json;

json parsedObject(const std::string& text) {
    if (text.empty()) return json::object();
    json parsed = json::parse(text, nullptr, false);
    return parsed.is_object() ? parsed : json::object();
}

// The header config a diffusers source carries, or an empty object.
json headerConfig(const LoraSource& source) {
    const auto it = source.tensors.metadata.find("lora_adapter_metadata");
    return it == source.tensors.metadata.end() ? json::object() : parsedObject(it->second);
}

// r and lora_alpha the most common pair; every module that differs gets its exact key.
void setScales(json& config, const std::vector<ModuleScale>& modules, bool fanInFanOut) {
    std::map<std::pair<int, double>, int> counts;
    for (const ModuleScale& m : modules) ++counts[{m.rank, m.alpha}];
    std::pair<int, double> common{0, 0.0};
    int best = 0;
    for (const auto& [pair, n] : counts)
        if (n > best) {
            best = n;
            common = pair;
        }
    json ranks = json::object(), alphas = json::object();
    for (const ModuleScale& m : modules) {
        if (m.rank != common.first) ranks[m.key] = m.rank;
        if (m.alpha != common.second) alphas[m.key] = m.alpha;
    }
    config["r"] = common.first;
    config["lora_alpha"] = common.second;
    config["rank_pattern"] = ranks;
    config["alpha_pattern"] = alphas;
    config["use_rslora"] = false; // the alphas above already hold the scales
    config["fan_in_fan_out"] = fanInFanOut;
}

json moduleKeys(const std::vector<ModuleScale>& modules) {
    json keys = json::array();
    for (const ModuleScale& m : modules) keys.push_back(m.key);
    return keys;
}

} // namespace

bool sourceFanInFanOut(const LoraSource& source) {
    const json config = source.folder ? parsedObject(source.config) : headerConfig(source);
    return config.value("fan_in_fan_out", false) == true;
}

std::string peftConfigText(const LoraSource& source, const LoraFile& file,
                           const std::vector<ModuleScale>& modules, bool fanInFanOut) {
    json config = source.folder ? parsedObject(source.config) : json::object();
    config["peft_type"] = "LORA";
    // A PEFT source's target_modules name what it adapts in its base; others get the paths.
    if (!source.folder || !config.contains("target_modules"))
        config["target_modules"] = moduleKeys(modules);
    if (!config.contains("base_model_name_or_path"))
        config["base_model_name_or_path"] = file.baseModel.empty() ? json() : json(file.baseModel);
    config["use_dora"] = false;
    setScales(config, modules, fanInFanOut);
    return config.dump(2);
}

std::string diffusersHeaderConfig(const LoraSource& source, const LoraFile& file,
                                  const std::vector<ModuleScale>& modules, bool fanInFanOut) {
    json config = file.format == LoraFormat::Diffusers ? headerConfig(source) : json::object();
    config["target_modules"] = moduleKeys(modules);
    setScales(config, modules, fanInFanOut);
    return config.dump();
}

void setKohyaMetadata(std::map<std::string, std::string>& metadata,
                      const std::vector<ModuleScale>& modules) {
    std::set<int> ranks;
    std::set<double> alphas;
    for (const ModuleScale& m : modules) {
        ranks.insert(m.rank);
        alphas.insert(m.alpha);
    }
    metadata.try_emplace("ss_network_module", "networks.lora");
    metadata["ss_network_dim"] = ranks.size() == 1 ? std::to_string(*ranks.begin()) : "Dynamic";
    metadata["ss_network_alpha"] =
        alphas.size() == 1 ? json(*alphas.begin()).dump() : std::string("Dynamic");
}

} // namespace lora
