#include "io/lora_file.h"

#include "io/adapter_config.h"
#include "io/input_gate.h"
#include "io/json_limits.h"
#include "io/lora_file_config.h"
#include "io/lora_file_keys.h"
#include "io/lora_file_modules.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

namespace lora {

namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

struct ModuleTensors {
    std::map<KeyPart, const NamedTensor*> parts;
    KeyFamily family = KeyFamily::None;
    std::size_t first = 0; // position of its first tensor, for the file's order
};

LoraFormat formatOf(const std::map<std::string, ModuleTensors>& modules, bool hasConfig) {
    if (hasConfig) return LoraFormat::Peft;
    bool lycoris = false, kohya = false, legacy = false, peftPrefix = false;
    for (const auto& [name, m] : modules) {
        lycoris |= m.family == KeyFamily::Lycoris;
        kohya |= m.family == KeyFamily::Kohya;
        legacy |= m.family == KeyFamily::DiffusersLegacy;
        peftPrefix |= m.family == KeyFamily::PeftStyle && name.starts_with("base_model.model.");
    }
    if (lycoris) return LoraFormat::Lycoris;
    if (kohya) return LoraFormat::Kohya;
    if (legacy || !peftPrefix) return LoraFormat::Diffusers;
    return LoraFormat::Peft;
}

// Groups tensors by module; InputError for a key with no adapter suffix that is not a whole
// weight PEFT's modules_to_save keeps.
std::map<std::string, ModuleTensors>
groupTensors(const SafetensorsFile& file, const ScaleRules& rules, const std::string& what) {
    std::map<std::string, ModuleTensors> modules;
    for (std::size_t i = 0; i < file.tensors.size(); ++i) {
        const NamedTensor& t = file.tensors[i];
        SplitKey key = splitKey(t.name);
        if (key.part == KeyPart::None) {
            if (!rules.isSavedWhole(t.name))
                throw InputError(what + ": tensor " + t.name +
                                 " has no LoRA, LoHa, LoKr or DoRA suffix this reader knows");
            key.module = t.name.substr(0, t.name.rfind('.'));
        }
        if (key.part == KeyPart::HadaTucker || key.part == KeyPart::LokrTucker)
            throw InputError(what + ": tensor " + t.name +
                             " is a Tucker core (LyCORIS use_tucker), which is not supported");
        auto [it, fresh] = modules.try_emplace(key.module);
        if (fresh) it->second.first = i;
        if (key.part == KeyPart::None) { // a saved weight and its bias: the weight names it
            it->second.parts.try_emplace(KeyPart::None, &t);
            continue;
        }
        if (it->second.parts.count(key.part))
            throw InputError(what + ": module " + key.module + " has two " + partName(key.part) +
                             " tensors");
        if (key.family != KeyFamily::Shared) it->second.family = key.family;
        it->second.parts[key.part] = &t;
    }
    return modules;
}

} // namespace

LoraFile decodeLoraFile(const SafetensorsFile& file, const json* peftConfig,
                        const std::string& what) {
    if (file.tensors.empty()) throw InputError(what + ": holds no tensors");
    if (const NamedTensor* bad = firstNonFinite(file))
        throw InputError(what + ": tensor " + bad->name + " holds NaN or infinite values");
    const ScaleRules rules(peftConfig, file.metadata, what);
    const std::map<std::string, ModuleTensors> grouped = groupTensors(file, rules, what);
    LoraFile out;
    out.format = formatOf(grouped, peftConfig != nullptr);
    out.metadata = file.metadata;
    out.baseModel = rules.baseModel();
    out.rslora = rules.rslora();
    std::vector<std::pair<std::size_t, LoraModule>> ordered;
    for (const auto& [name, tensors] : grouped) {
        ModuleParts parts{name, tensors.parts, what};
        ordered.emplace_back(tensors.first, buildModule(parts, rules));
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [first, module] : ordered) out.modules.push_back(std::move(module));
    for (const NamedTensor& t : file.tensors)
        out.params += static_cast<std::int64_t>(t.data.size());
    return out;
}

LoraFile readLoraFile(const std::string& path, LoraSource* source) {
    std::error_code ec;
    const bool folder = fs::is_directory(path, ec);
    const std::string weightsPath =
        folder ? (fs::path(path) / "adapter_model.safetensors").string() : path;
    // A bare adapter_model.safetensors still takes its folder's config, as PEFT loads it.
    const fs::path configPath =
        (folder ? fs::path(path) : fs::path(path).parent_path()) / "adapter_config.json";
    const bool withConfig = folder || (fs::path(path).filename() == "adapter_model.safetensors" &&
                                       fs::is_regular_file(configPath, ec));
    json config;
    std::uint64_t bytes = 0;
    if (withConfig) {
        const std::vector<std::uint8_t> text = readFileBytes(configPath.string(), kMaxConfigBytes);
        checkJsonText(text.data(), text.data() + text.size(), JsonLimits{}, configPath.string(),
                      "adapter_config.json");
        config = json::parse(text.begin(), text.end());
        if (!config.is_object()) throw InputError(configPath.string() + ": is not a JSON object");
        bytes += text.size();
    }
    SafetensorsFile file = readSafetensors(weightsPath);
    LoraFile out = decodeLoraFile(file, withConfig ? &config : nullptr, weightsPath);
    out.bytes = bytes + fs::file_size(weightsPath, ec);
    if (source) {
        source->tensors = std::move(file);
        source->config = withConfig ? config.dump(2) : std::string();
        source->folder = withConfig;
    }
    return out;
}

} // namespace lora
