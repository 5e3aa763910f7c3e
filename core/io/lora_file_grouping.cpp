#include "io/lora_file_grouping.h"

#include "io/input_gate.h"
#include "io/json_limits.h"
#include "util/error.h"

#include <filesystem>

namespace lora {

namespace fs = std::filesystem;

std::vector<ModuleTensorIndex> groupModuleTensors(const std::vector<std::string>& names,
                                                  const ScaleRules& rules,
                                                  const std::string& what) {
    std::vector<ModuleTensorIndex> modules;
    std::map<std::string, std::size_t> position;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string& tensor = names[i];
        SplitKey key = splitKey(tensor);
        if (key.part == KeyPart::None) {
            if (!rules.isSavedWhole(tensor))
                throw InputError(what + ": tensor " + tensor +
                                 " has no LoRA, LoHa, LoKr or DoRA suffix this reader knows");
            key.module = tensor.substr(0, tensor.rfind('.'));
        }
        if (key.part == KeyPart::HadaTucker || key.part == KeyPart::LokrTucker)
            throw InputError(what + ": tensor " + tensor +
                             " is a Tucker core (LyCORIS use_tucker), which is not supported");
        auto [it, fresh] = position.try_emplace(key.module, modules.size());
        if (fresh) modules.push_back({key.module, {}, KeyFamily::None});
        ModuleTensorIndex& m = modules[it->second];
        if (key.part == KeyPart::None) { // a saved weight and its bias: the weight names it
            m.parts.try_emplace(KeyPart::None, i);
            continue;
        }
        if (m.parts.count(key.part))
            throw InputError(what + ": module " + key.module + " has two " + partName(key.part) +
                             " tensors");
        if (key.family != KeyFamily::Shared) m.family = key.family;
        m.parts[key.part] = i;
    }
    return modules;
}

LoraFormat formatOf(const std::vector<ModuleTensorIndex>& modules, bool hasConfig) {
    if (hasConfig) return LoraFormat::Peft;
    bool lycoris = false, kohya = false, legacy = false, peftPrefix = false;
    for (const ModuleTensorIndex& m : modules) {
        lycoris |= m.family == KeyFamily::Lycoris;
        kohya |= m.family == KeyFamily::Kohya;
        legacy |= m.family == KeyFamily::DiffusersLegacy;
        peftPrefix |= m.family == KeyFamily::PeftStyle && m.name.starts_with("base_model.model.");
    }
    if (lycoris) return LoraFormat::Lycoris;
    if (kohya) return LoraFormat::Kohya;
    if (legacy || !peftPrefix) return LoraFormat::Diffusers;
    return LoraFormat::Peft;
}

LoraFileLocation locateLoraFile(const std::string& path) {
    std::error_code ec;
    const bool folder = fs::is_directory(path, ec);
    LoraFileLocation at;
    at.weights = folder ? (fs::path(path) / "adapter_model.safetensors").string() : path;
    const fs::path configPath =
        (folder ? fs::path(path) : fs::path(path).parent_path()) / "adapter_config.json";
    const bool withConfig = folder || (fs::path(path).filename() == "adapter_model.safetensors" &&
                                       fs::is_regular_file(configPath, ec));
    if (!withConfig) return at;
    at.folder = configPath.parent_path().string();
    const std::vector<std::uint8_t> text =
        readFileBytes(configPath.string(), kMaxConfigBytes, at.folder);
    checkJsonText(text.data(), text.data() + text.size(), JsonLimits{}, configPath.string(),
                  "adapter_config.json");
    nlohmann::json config = nlohmann::json::parse(text.begin(), text.end());
    if (!config.is_object()) throw InputError(configPath.string() + ": is not a JSON object");
    at.peftConfig = std::move(config);
    at.configBytes = text.size();
    return at;
}

} // namespace lora
