#include "io/adapter_dir.h"

#include "io/atomic_file.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "nn/architecture.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

namespace lora {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kConfigName = "adapter_config.json";
constexpr const char* kWeightsName = "adapter_model.safetensors";
const std::string kPrefix = "base_model.model.";

std::string shapeString(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

// Integral alphas are written as integers like PEFT's own configs; others as the shortest
// decimal that reads back to the same float, independent of the C locale.
json numberJson(float v) {
    if (v == std::floor(v) && std::fabs(v) < 1e9f) return json(static_cast<std::int64_t>(v));
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, v).ptr;
    double d = 0.0;
    std::from_chars(buf, end, d);
    return json(d);
}

bool asPositiveInt(const json& j, int& out) {
    if (!j.is_number_integer()) return false; // also true for unsigned
    const auto v = j.get<std::int64_t>();
    if (v < 1 || v > kMaxLayerWidth) return false;
    out = static_cast<int>(v);
    return true;
}

bool asPositiveFloat(const json& j, float& out) {
    if (!j.is_number()) return false;
    out = static_cast<float>(j.get<double>());
    return std::isfinite(out) && out > 0.0f;
}

bool isTrue(const json& config, const char* field) {
    const auto it = config.find(field);
    return it != config.end() && *it == true;
}

// PEFT matches rank_pattern / alpha_pattern keys against module names by suffix.
const json* patternFor(const json& config, const char* field, const std::string& layer) {
    const auto it = config.find(field);
    if (it == config.end() || !it->is_object()) return nullptr;
    for (const auto& [key, value] : it->items())
        if (key == layer || (key.size() > layer.size() && key.ends_with("." + layer)))
            return &value;
    return nullptr;
}

// "base_model.model.fc1.lora_A.default.weight" -> layer "fc1", matrix 'A'. The prefix and
// the adapter name segment are both optional.
bool parseAdapterKey(const std::string& key, std::string& layer, char& matrix) {
    std::string rest = key.starts_with(kPrefix) ? key.substr(kPrefix.size()) : key;
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const std::size_t dot = rest.find('.', start);
        parts.push_back(rest.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    if (parts.size() < 3 || parts.size() > 4 || parts.back() != "weight") return false;
    if (parts[1] != "lora_A" && parts[1] != "lora_B") return false;
    if (parts[0].empty() || (parts.size() == 4 && parts[2].empty())) return false;
    layer = parts[0];
    matrix = parts[1].back();
    return true;
}

struct LayerTensors {
    const NamedTensor* A = nullptr;
    const NamedTensor* B = nullptr;
};

LoraSpec readSpec(const json& config, const std::string& configPath) {
    const std::string where = configPath + ": ";
    const auto type = config.find("peft_type");
    if (type == config.end()) throw InputError(where + "peft_type is missing");
    if (*type != "LORA")
        throw InputError(where + "peft_type is " + type->dump() +
                         "; only LORA adapters are supported");
    if (isTrue(config, "use_dora"))
        throw InputError(where + "DoRA adapters (use_dora) are not supported");
    if (isTrue(config, "fan_in_fan_out"))
        throw InputError(where + "fan_in_fan_out adapters are not supported");

    LoraSpec spec;
    spec.rank = 8; // PEFT's defaults when a field is absent
    spec.alpha = 8.0f;
    if (const auto r = config.find("r"); r != config.end() && !asPositiveInt(*r, spec.rank))
        throw InputError(where + "r must be a positive integer (got " + r->dump() + ")");
    if (const auto a = config.find("lora_alpha");
        a != config.end() && !asPositiveFloat(*a, spec.alpha))
        throw InputError(where + "lora_alpha must be a positive number (got " + a->dump() + ")");
    if (const auto rs = config.find("use_rslora"); rs != config.end()) {
        if (!rs->is_boolean()) throw InputError(where + "use_rslora must be true or false");
        spec.rslora = rs->get<bool>();
    }
    const auto init = config.find("init_lora_weights");
    spec.init =
        init != config.end() && *init == "gaussian" ? LoraInit::Gaussian : LoraInit::Kaiming;
    return spec;
}

// One LoraConfig carries a single spec, so patterns must agree across the targeted layers.
void applyPatterns(const json& config, const std::string& configPath,
                   const std::vector<std::string>& targets, LoraSpec& spec) {
    const LoraSpec global = spec;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        int rank = global.rank;
        float alpha = global.alpha;
        if (const json* p = patternFor(config, "rank_pattern", targets[i]);
            p && !asPositiveInt(*p, rank))
            throw InputError(configPath + ": rank_pattern for " + targets[i] +
                             " must be a positive integer");
        if (const json* p = patternFor(config, "alpha_pattern", targets[i]);
            p && !asPositiveFloat(*p, alpha))
            throw InputError(configPath + ": alpha_pattern for " + targets[i] +
                             " must be a positive number");
        if (i == 0) {
            spec.rank = rank;
            spec.alpha = alpha;
        } else if (rank != spec.rank || alpha != spec.alpha) {
            throw InputError(configPath + ": per-layer ranks are not supported yet (" + targets[0] +
                             " and " + targets[i] + " differ in r or lora_alpha)");
        }
    }
}

} // namespace

void saveAdapter(const std::string& dir, const Mlp& model, const AdapterInfo& info) {
    if (!model.hasLora())
        throw InputError("cannot save an adapter to " + dir + ": the model has no LoRA attached");
    if (!info.classes.empty() && static_cast<int>(info.classes.size()) != model.outputs())
        throw InputError("cannot save an adapter to " + dir + ": " +
                         std::to_string(info.classes.size()) + " classes for " +
                         std::to_string(model.outputs()) + " outputs");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw InputError("cannot create " + dir + ": " + ec.message());

    SafetensorsFile file;
    file.metadata["format"] = "pt";
    file.metadata["lora_explorer.architecture"] = model.architecture();
    if (!info.classes.empty()) file.metadata["lora_explorer.classes"] = formatClasses(info.classes);
    file.metadata["lora_explorer.version"] = "1";
    LoraSpec spec;
    std::vector<std::string> targets;
    for (int i = 0; i < model.layerCount(); ++i) {
        const LoraLinear* adapter = model.adapter(i);
        if (!adapter) continue;
        spec = adapter->spec();
        const std::string key = kPrefix + model.layerName(i);
        const Matrix& A = adapter->A;
        const Matrix& B = adapter->B;
        file.tensors.push_back({key + ".lora_A.weight",
                                {A.rows(), A.cols()},
                                std::vector<float>(A.data(), A.data() + A.size())});
        file.tensors.push_back({key + ".lora_B.weight",
                                {B.rows(), B.cols()},
                                std::vector<float>(B.data(), B.data() + B.size())});
        targets.push_back(model.layerName(i));
    }
    std::sort(targets.begin(), targets.end());

    json config = {
        {"peft_type", "LORA"},
        {"r", spec.rank},
        {"lora_alpha", numberJson(spec.alpha)},
        {"target_modules", targets},
        {"lora_dropout", 0.0},
        {"bias", "none"},
        {"fan_in_fan_out", false},
        {"use_rslora", spec.rslora},
        {"init_lora_weights", spec.init == LoraInit::Kaiming ? json(true) : json("gaussian")},
        {"base_model_name_or_path", info.baseModel},
        {"task_type", nullptr},
        {"inference_mode", true},
        {"modules_to_save", nullptr},
        {"rank_pattern", json::object()},
        {"alpha_pattern", json::object()},
        {"layers_to_transform", nullptr},
        {"layers_pattern", nullptr},
        {"revision", nullptr},
        {"use_dora", false},
    };
    // Weights first: a config never points at weights that are not there yet.
    writeSafetensors((fs::path(dir) / kWeightsName).string(), file);
    writeFileAtomic((fs::path(dir) / kConfigName).string(),
                    config.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

LoadedAdapter loadAdapter(const std::string& dir, Mlp& model) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw InputError(dir + ": not a directory");
    const std::string configPath = (fs::path(dir) / kConfigName).string();
    const std::string weightsPath = (fs::path(dir) / kWeightsName).string();
    if (!fs::exists(configPath, ec)) throw InputError(dir + ": adapter_config.json not found");

    const std::vector<std::uint8_t> text = readFileBytes(configPath);
    json config;
    try {
        config = json::parse(text.begin(), text.end());
    } catch (const json::exception&) {
        throw InputError(configPath + ": not valid JSON");
    }
    if (!config.is_object()) throw InputError(configPath + ": not a JSON object");
    LoraSpec spec = readSpec(config, configPath);

    if (!fs::exists(weightsPath, ec)) {
        if (fs::exists(fs::path(dir) / "adapter_model.bin", ec))
            throw InputError(
                dir + ": only adapter_model.safetensors is supported, not adapter_model.bin");
        throw InputError(dir + ": adapter_model.safetensors not found");
    }
    const SafetensorsFile file = readSafetensors(weightsPath);
    const std::string where = weightsPath + ": ";
    if (const NamedTensor* bad = firstNonFinite(file))
        throw InputError(where + "tensor '" + bad->name + "' holds NaN/Inf values");
    const auto& meta = file.metadata;
    if (const auto it = meta.find("lora_explorer.architecture");
        it != meta.end() && it->second != model.architecture())
        throw InputError(where + "adapter was trained on a " + it->second +
                         " base but the model is " + model.architecture());

    std::vector<LayerTensors> layers(model.layerCount());
    for (const auto& t : file.tensors) {
        std::string layer;
        char matrix = 0;
        if (!parseAdapterKey(t.name, layer, matrix))
            throw InputError("unexpected tensor '" + t.name + "' in " + weightsPath);
        const int i = model.layerIndex(layer);
        if (i < 0)
            throw InputError(where + "adapter key '" + t.name + "' matches no layer of the " +
                             model.architecture() + " base");
        const NamedTensor*& slot = matrix == 'A' ? layers[i].A : layers[i].B;
        if (slot)
            throw InputError(where + "'" + slot->name + "' and '" + t.name + "' are both " + layer +
                             ".lora_" + matrix);
        slot = &t;
    }

    std::vector<std::string> targets;
    for (int i = 0; i < model.layerCount(); ++i) {
        const std::string name = model.layerName(i);
        if (!layers[i].A && !layers[i].B) continue;
        if (!layers[i].A) throw InputError(where + name + " has lora_B but no lora_A");
        if (!layers[i].B) throw InputError(where + name + " has lora_A but no lora_B");
        targets.push_back(name);
    }
    if (targets.empty()) throw InputError(where + "no LoRA tensors");
    applyPatterns(config, configPath, targets, spec);

    const std::string rank = " but r is " + std::to_string(spec.rank);
    for (const auto& name : targets) {
        const int i = model.layerIndex(name);
        const auto& a = layers[i].A->shape; // [r, in]
        const auto& b = layers[i].B->shape; // [out, r]
        const std::string isA = where + name + ".lora_A.weight is " + shapeString(a);
        const std::string isB = where + name + ".lora_B.weight is " + shapeString(b);
        if (a.size() != 2) throw InputError(isA + " but must be 2-D");
        if (b.size() != 2) throw InputError(isB + " but must be 2-D");
        if (a[1] != model.layer(i).in())
            throw InputError(isA + " but " + name + " takes " +
                             std::to_string(model.layer(i).in()) + " inputs");
        if (b[0] != model.layer(i).out())
            throw InputError(isB + " but " + name + " has " + std::to_string(model.layer(i).out()) +
                             " outputs");
        if (a[0] != spec.rank) throw InputError(isA + rank);
        if (b[1] != spec.rank) throw InputError(isB + rank);
    }

    LoadedAdapter loaded;
    loaded.config = LoraConfig{spec, targets};
    if (const auto it = config.find("base_model_name_or_path"); it != config.end())
        loaded.info.baseModel = it->is_string() ? it->get<std::string>() : "";
    if (const auto it = meta.find("lora_explorer.classes"); it != meta.end())
        loaded.info.classes = parseMetadataClasses(it->second, model.outputs(), weightsPath);

    // Everything is validated: from here on `model` changes and nothing can fail.
    Rng placeholder(0); // attachLora initialises A and B; the file's values replace them
    model.attachLora(loaded.config, placeholder);
    for (const auto& name : targets) {
        const int i = model.layerIndex(name);
        LoraLinear& adapter = *model.adapter(i);
        adapter.A = ConstMatrixMap(layers[i].A->data.data(), spec.rank, model.layer(i).in());
        adapter.B = ConstMatrixMap(layers[i].B->data.data(), model.layer(i).out(), spec.rank);
    }
    return loaded;
}

} // namespace lora
