#include "io/adapter_dir.h"

#include "io/adapter_config.h"
#include "io/atomic_file.h"
#include "io/input_gate.h"
#include "io/model_file.h"
#include "io/peft_pattern.h"
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
        throw InputError(where + "peft_type is " + quotedValue(*type) +
                         "; only LORA adapters are supported");
    checkConfigFields(config, configPath);

    LoraSpec spec;
    spec.rank = 8; // PEFT's defaults when a field is absent
    spec.alpha = 8.0f;
    if (const auto r = config.find("r"); r != config.end() && !asPositiveInt(*r, spec.rank))
        throw InputError(where + "r must be a positive integer (got " + quotedValue(*r) + ")");
    if (const auto a = config.find("lora_alpha");
        a != config.end() && !asPositiveFloat(*a, spec.alpha))
        throw InputError(where + "lora_alpha must be a positive number (got " + quotedValue(*a) +
                         ")");
    if (const auto rs = config.find("use_rslora"); rs != config.end()) spec.rslora = *rs == true;
    const auto init = config.find("init_lora_weights");
    if (init != config.end() && init->is_string())
        for (const char* kind : {"pissa", "olora", "loftq", "corda"})
            if (init->get<std::string>().starts_with(kind))
                throw InputError(where + "init_lora_weights " + quotedValue(*init) +
                                 " changes the base weights; save the adapter converted to "
                                 "plain LoRA (path_initial_model_for_weight_conversion)");
    spec.init =
        init != config.end() && *init == "gaussian" ? LoraInit::Gaussian : LoraInit::Kaiming;
    return spec;
}

// Each targeted layer's spec: the config's, overridden by rank_pattern / alpha_pattern.
LoraSpec layerSpec(const json& config, const std::string& configPath, const std::string& layer,
                   const LoraSpec& global) {
    LoraSpec spec = global;
    if (const json* p = peftPatternFor(config, "rank_pattern", layer, configPath);
        p && !asPositiveInt(*p, spec.rank))
        throw InputError(configPath + ": rank_pattern for " + layer +
                         " must be a positive integer");
    if (const json* p = peftPatternFor(config, "alpha_pattern", layer, configPath);
        p && !asPositiveFloat(*p, spec.alpha))
        throw InputError(configPath + ": alpha_pattern for " + layer +
                         " must be a positive number");
    return spec;
}

struct AdapterFiles {
    SafetensorsFile weights;
    std::string config;
};

AdapterFiles encodeAdapter(const Mlp& base, const AdapterWeights& weights,
                           const AdapterInfo& info) {
    if (!info.classes.empty() && static_cast<int>(info.classes.size()) != base.outputs())
        throw InputError(std::to_string(info.classes.size()) + " classes for " +
                         std::to_string(base.outputs()) + " outputs");
    AdapterFiles files;
    SafetensorsFile& file = files.weights;
    file.metadata["format"] = "pt";
    file.metadata["lora_explorer.architecture"] = base.architecture();
    if (!info.classes.empty()) file.metadata["lora_explorer.classes"] = formatClasses(info.classes);
    if (std::isfinite(info.testAccuracy))
        file.metadata["lora_explorer.test_accuracy"] = numberJson(info.testAccuracy).dump();
    file.metadata["lora_explorer.version"] = "1";
    std::vector<std::string> targets;
    json rankPattern = json::object(), alphaPattern = json::object();
    for (const LayerAdapter& l : weights.layers) {
        if (l.layer < 0 || l.layer >= base.layerCount())
            throw InputError("the adapter targets a layer " + base.architecture() + " lacks");
        const std::string name = base.layerName(l.layer);
        const std::string key = kPrefix + name;
        file.tensors.push_back({key + ".lora_A.weight",
                                {l.A.rows(), l.A.cols()},
                                std::vector<float>(l.A.data(), l.A.data() + l.A.size())});
        file.tensors.push_back({key + ".lora_B.weight",
                                {l.B.rows(), l.B.cols()},
                                std::vector<float>(l.B.data(), l.B.data() + l.B.size())});
        targets.push_back(name);
        if (l.spec.rank != weights.spec.rank) rankPattern[name] = l.spec.rank;
        if (l.spec.alpha != weights.spec.alpha) alphaPattern[name] = numberJson(l.spec.alpha);
    }
    std::sort(targets.begin(), targets.end());
    const LoraSpec& spec = weights.spec;
    const json config = {
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
        {"rank_pattern", rankPattern},
        {"alpha_pattern", alphaPattern},
        {"layers_to_transform", nullptr},
        {"layers_pattern", nullptr},
        {"revision", nullptr},
        {"use_dora", false},
    };
    files.config = config.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    return files;
}

} // namespace

void writeAdapter(const std::string& dir, const Mlp& base, const AdapterWeights& weights,
                  const AdapterInfo& info) {
    AdapterFiles files;
    try {
        checkAdapter(base, weights);
        files = encodeAdapter(base, weights, info);
    } catch (const InputError& e) {
        throw InputError("cannot save an adapter to " + dir + ": " + e.what());
    }
    // The folder as a whole: a config never sits beside the weights of another adapter.
    // (The config last: writeDirectoryAtomic replaces only a folder that holds it.)
    writeDirectoryAtomic(
        dir, {{kWeightsName, encodeSafetensors(files.weights)},
              {kConfigName, std::vector<std::uint8_t>(files.config.begin(), files.config.end())}});
}

std::size_t adapterBytes(const Mlp& base, const AdapterWeights& weights, const AdapterInfo& info) {
    const AdapterFiles files = encodeAdapter(base, weights, info);
    return encodeSafetensors(files.weights).size() + files.config.size();
}

void saveAdapter(const std::string& dir, const Mlp& model, const AdapterInfo& info) {
    if (!model.hasLora())
        throw InputError("cannot save an adapter to " + dir + ": the model has no LoRA attached");
    writeAdapter(dir, model, extractAdapter(model), info);
}

namespace {

json parseConfig(const std::vector<std::uint8_t>& text, const std::string& configPath) {
    json config;
    try {
        config = json::parse(text.begin(), text.end());
    } catch (const json::exception&) {
        throw InputError(configPath + ": not valid JSON");
    }
    if (!config.is_object()) throw InputError(configPath + ": not a JSON object");
    return config;
}

} // namespace

LoraSpec checkAdapterConfig(const std::vector<std::uint8_t>& text, const std::string& configPath) {
    return readSpec(parseConfig(text, configPath), configPath);
}

ImportedAdapter readAdapter(const std::string& dir, const Mlp& model, const std::string& folder) {
    const std::string confine = folder.empty() ? dir : folder;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw InputError(dir + ": not a directory");
    const std::string configPath = (fs::path(dir) / kConfigName).string();
    const std::string weightsPath = (fs::path(dir) / kWeightsName).string();
    if (!fs::exists(configPath, ec)) throw InputError(dir + ": adapter_config.json not found");
    const std::vector<std::uint8_t> config = readFileBytes(configPath, kMaxConfigBytes, confine);
    checkAdapterConfig(config, configPath); // its problems come before the weights'
    if (!fs::exists(weightsPath, ec)) {
        if (fs::exists(fs::path(dir) / "adapter_model.bin", ec))
            throw InputError(
                dir + ": only adapter_model.safetensors is supported, not adapter_model.bin");
        throw InputError(dir + ": adapter_model.safetensors not found");
    }
    // Header first: a weights file that is not what it claims costs its header, not its size.
    return decodeAdapter(config, configPath,
                         readSafetensors(weightsPath, kMaxSafetensorsBytes, confine), weightsPath,
                         model);
}

ImportedAdapter decodeAdapter(const std::vector<std::uint8_t>& configText,
                              const std::string& configPath,
                              const std::vector<std::uint8_t>& weights,
                              const std::string& weightsPath, const Mlp& model) {
    checkAdapterConfig(configText, configPath); // its problems come before the weights'
    return decodeAdapter(configText, configPath, decodeSafetensors(weights, weightsPath),
                         weightsPath, model);
}

ImportedAdapter decodeAdapter(const std::vector<std::uint8_t>& configText,
                              const std::string& configPath, const SafetensorsFile& file,
                              const std::string& weightsPath, const Mlp& model) {
    const json config = parseConfig(configText, configPath);
    const LoraSpec spec = readSpec(config, configPath);
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
    checkTargetModules(config, configPath, targets);

    ImportedAdapter imported;
    imported.weights.spec = spec;
    for (const auto& name : targets) {
        const int i = model.layerIndex(name);
        const LoraSpec layer = layerSpec(config, configPath, name, spec);
        const std::string rank = " but r is " + std::to_string(layer.rank);
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
        if (a[0] != layer.rank) throw InputError(isA + rank);
        if (b[1] != layer.rank) throw InputError(isB + rank);
        imported.weights.layers.push_back(
            {i, layer, ConstMatrixMap(layers[i].A->data.data(), layer.rank, model.layer(i).in()),
             ConstMatrixMap(layers[i].B->data.data(), model.layer(i).out(), layer.rank)});
    }

    AdapterInfo& info = imported.info;
    if (const auto it = config.find("base_model_name_or_path"); it != config.end())
        info.baseModel = it->is_string() ? it->get<std::string>() : "";
    if (const auto it = meta.find("lora_explorer.classes"); it != meta.end())
        info.classes = parseMetadataClasses(it->second, model.outputs(), weightsPath);
    if (const auto it = meta.find("lora_explorer.test_accuracy"); it != meta.end()) {
        const std::string& text = it->second;
        float v = NAN;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size() && std::isfinite(v))
            info.testAccuracy = v;
    }
    return imported;
}

LoadedAdapter loadAdapter(const std::string& dir, Mlp& model) {
    ImportedAdapter imported = readAdapter(dir, model);
    attachAdapter(model, imported.weights); // checked above, so this cannot fail half-way
    return {imported.weights.config(model), imported.info};
}

} // namespace lora
