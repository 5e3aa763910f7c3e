#include "io/lora_file_write.h"

#include "io/atomic_file.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace lora {

namespace {

using json = nlohmann::json;

const std::string kPeftPrefix = "base_model.model.";

NamedTensor fromMatrix(const std::string& name, std::vector<std::int64_t> shape, const Matrix& m,
                       TensorDType dtype) {
    return {name, std::move(shape), std::vector<float>(m.data(), m.data() + m.size()), dtype};
}

// The module's final rank and alpha, for the config.
struct Final {
    std::string key; // as a pattern key: the module path without PEFT's prefix
    int rank = 0;
    double alpha = 0;
};

// r and lora_alpha the most common pair; every module that differs gets exact pattern keys.
void updateConfig(json& config, const std::vector<Final>& modules) {
    std::map<std::pair<int, double>, int> counts;
    for (const Final& f : modules) ++counts[{f.rank, f.alpha}];
    if (counts.empty()) return;
    const auto common = std::max_element(counts.begin(), counts.end(), [](auto& a, auto& b) {
                            return a.second < b.second;
                        })->first;
    config["r"] = common.first;
    config["lora_alpha"] = common.second;
    json ranks = json::object(), alphas = json::object();
    for (const Final& f : modules) {
        if (f.rank != common.first) ranks[f.key] = f.rank;
        if (f.alpha != common.second) alphas[f.key] = f.alpha;
    }
    config["rank_pattern"] = ranks;
    config["alpha_pattern"] = alphas;
}

} // namespace

std::uint64_t writeLoraFile(const std::string& out, const LoraSource& source, const LoraFile& file,
                            const std::vector<ModuleReplacement>& replaced,
                            const LoraWriteOptions& options) {
    std::map<std::string, const ModuleReplacement*> byModule;
    for (const ModuleReplacement& r : replaced) byModule[r.module] = &r;
    std::map<std::string, std::pair<const LoraModule*, const ModuleReplacement*>> byKey;
    std::vector<Final> finals;
    for (const LoraModule& m : file.modules) {
        if (m.downKey.empty()) continue;
        const auto it = byModule.find(m.name);
        const ModuleReplacement* r = it == byModule.end() ? nullptr : it->second;
        for (const std::string* key : {&m.downKey, &m.upKey, &m.alphaKey})
            if (!key->empty()) byKey[*key] = {&m, r};
        const std::string key =
            m.name.starts_with(kPeftPrefix) ? m.name.substr(kPeftPrefix.size()) : m.name;
        finals.push_back(
            {key, r ? static_cast<int>(r->down.rows()) : m.rank, r ? r->alpha : m.alpha});
    }

    SafetensorsFile written;
    written.metadata = source.tensors.metadata;
    for (const auto& [k, v] : options.metadata) written.metadata[k] = v;
    for (const NamedTensor& t : source.tensors.tensors) {
        const auto it = byKey.find(t.name);
        const TensorDType dtype = options.dtype.value_or(t.dtype);
        if (it == byKey.end() || !it->second.second) {
            written.tensors.push_back(t);
            written.tensors.back().dtype = dtype;
            continue;
        }
        const auto& [m, r] = it->second;
        const std::int64_t rank = r->down.rows();
        if (t.name == m->downKey) {
            std::vector<std::int64_t> shape = m->downShape;
            shape[0] = rank;
            written.tensors.push_back(fromMatrix(t.name, shape, r->down, dtype));
        } else if (t.name == m->upKey) {
            std::vector<std::int64_t> shape = m->upShape;
            shape[1] = rank;
            written.tensors.push_back(fromMatrix(t.name, shape, r->up, dtype));
        } else { // the alpha tensor
            written.tensors.push_back({t.name, t.shape, {static_cast<float>(r->alpha)}, dtype});
        }
    }

    std::string configText;
    if (source.folder) {
        json config = json::parse(source.config);
        updateConfig(config, finals);
        configText = config.dump(2);
    } else if (const auto it = written.metadata.find("lora_adapter_metadata");
               it != written.metadata.end()) {
        json config = json::parse(it->second);
        if (config.is_object()) {
            updateConfig(config, finals);
            it->second = config.dump();
        }
    }
    const std::vector<std::uint8_t> bytes = encodeSafetensors(written);
    if (!source.folder) {
        writeFileAtomic(out, bytes);
        return bytes.size();
    }
    writeDirectoryAtomic(out, {{"adapter_model.safetensors", bytes},
                               {"adapter_config.json",
                                std::vector<std::uint8_t>(configText.begin(), configText.end())}});
    return bytes.size() + configText.size();
}

} // namespace lora
