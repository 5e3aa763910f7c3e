#include "io/lora_file.h"

#include "io/lora_file_grouping.h"
#include "io/lora_file_modules.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace lora {

LoraFile decodeLoraFile(const SafetensorsFile& file, const nlohmann::json* peftConfig,
                        const std::string& what) {
    if (file.tensors.empty()) throw InputError(what + ": holds no tensors");
    if (const NamedTensor* bad = firstNonFinite(file))
        throw InputError(what + ": tensor " + bad->name + " holds NaN or infinite values");
    const ScaleRules rules(peftConfig, file.metadata, what);
    std::vector<std::string> names;
    for (const NamedTensor& t : file.tensors) names.push_back(t.name);
    const std::vector<ModuleTensorIndex> grouped = groupModuleTensors(names, rules, what);
    LoraFile out;
    out.format = formatOf(grouped, peftConfig != nullptr);
    out.metadata = file.metadata;
    out.baseModel = rules.baseModel();
    out.rslora = rules.rslora();
    for (const ModuleTensorIndex& m : grouped) {
        std::map<KeyPart, const NamedTensor*> tensors;
        for (const auto& [part, k] : m.parts) tensors[part] = &file.tensors[k];
        out.modules.push_back(buildModule({m.name, tensors, what}, rules));
    }
    for (const NamedTensor& t : file.tensors)
        out.params += static_cast<std::int64_t>(t.data.size());
    return out;
}

LoraFile readLoraFile(const std::string& path, LoraSource* source) {
    const LoraFileLocation at = locateLoraFile(path);
    const bool withConfig = at.peftConfig.has_value();
    SafetensorsFile file = readSafetensors(at.weights, kMaxSafetensorsBytes, at.folder);
    LoraFile out = decodeLoraFile(file, withConfig ? &*at.peftConfig : nullptr, at.weights);
    std::error_code ec;
    out.bytes = at.configBytes + std::filesystem::file_size(at.weights, ec);
    if (source) {
        source->tensors = std::move(file);
        source->config = withConfig ? at.peftConfig->dump(2) : std::string();
        source->folder = withConfig;
    }
    return out;
}

} // namespace lora
