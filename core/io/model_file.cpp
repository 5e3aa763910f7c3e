#include "io/model_file.h"

#include "io/safetensors.h"
#include "nn/architecture.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <map>
#include <set>

namespace lora {

namespace {

constexpr const char* kArchitectureKey = "lora_explorer.architecture";
constexpr const char* kClassesKey = "lora_explorer.classes";
constexpr const char* kVersionKey = "lora_explorer.version";
constexpr const char* kFormatVersion = "1";
// Pixel mean and standard deviation the model expects its inputs to be normalised with.
constexpr const char* kNormalisation = "0.1307,0.3081";

// "fc12.weight" -> (12, "weight"). Leading zeros and huge indices are rejected, so every
// accepted key round-trips through layerName().
bool parseLayerKey(const std::string& key, int& index, std::string& param) {
    const std::size_t dot = key.find('.');
    if (key.rfind("fc", 0) != 0 || dot == std::string::npos || dot < 3 || dot > 6) return false;
    const std::string digits = key.substr(2, dot - 2);
    if (digits[0] == '0' || digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    param = key.substr(dot + 1);
    if (param != "weight" && param != "bias") return false;
    index = std::stoi(digits);
    return true;
}

// A file holding more values than a model within the budget has is refused from its
// header, before its data is read.
HeaderCheck withinModelBudget(const std::string& path) {
    return [path](const std::vector<TensorIndex>& index) {
        long long values = 0;
        for (const TensorIndex& t : index) {
            long long n = 1;
            for (std::int64_t d : t.shape) // capped, so that no product overflows
                n = n == 0 || d == 0     ? 0
                    : d > kMaxParameters ? kMaxParameters + 1
                                         : std::min(n * d, kMaxParameters + 1);
            values = std::min(values + n, kMaxParameters + 1);
        }
        if (values > kMaxParameters)
            throw InputError(path + ": holds more than the " + std::to_string(kMaxParameters) +
                             " values a model may have (the model budget)");
        return std::vector<bool>{};
    };
}

// The model budget's refusal, naming the file.
void checkBudget(const std::string& path, const std::vector<int>& widths) {
    try {
        checkModelBudget(widths);
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

} // namespace

std::vector<int> parseMetadataClasses(const std::string& text, int outputs,
                                      const std::string& what) {
    const std::string key = what + ": " + kClassesKey + " '" + text + "'";
    std::vector<int> classes;
    std::set<int> seen;
    for (std::size_t start = 0; start <= text.size();) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string::npos) comma = text.size();
        const std::string part = text.substr(start, comma - start);
        if (part.size() != 1 || part[0] < '0' || part[0] > '9')
            throw InputError(key + " is not a list of digits like 3,4");
        if (!seen.insert(part[0] - '0').second) throw InputError(key + " repeats digit " + part);
        classes.push_back(part[0] - '0');
        start = comma + 1;
    }
    if (static_cast<int>(classes.size()) != outputs)
        throw InputError(key + " lists " + std::to_string(classes.size()) +
                         " classes but the model has " + std::to_string(outputs) + " outputs");
    return classes;
}

void saveModel(const std::string& path, const Mlp& model, const ModelInfo& info) {
    if (!info.classes.empty() && static_cast<int>(info.classes.size()) != model.outputs())
        throw InputError("cannot save " + path + ": " + std::to_string(info.classes.size()) +
                         " classes for " + std::to_string(model.outputs()) + " outputs");
    SafetensorsFile file;
    file.metadata["format"] = "pt";
    file.metadata[kArchitectureKey] = model.architecture();
    if (!info.classes.empty()) file.metadata[kClassesKey] = formatClasses(info.classes);
    file.metadata["lora_explorer.normalisation"] = kNormalisation;
    file.metadata[kVersionKey] = kFormatVersion;
    // W is saved as it stands: whether a LoRA delta is merged in is the caller's decision.
    for (int i = 0; i < model.layerCount(); ++i) {
        const Linear& layer = model.layer(i);
        const std::string name = model.layerName(i);
        file.tensors.push_back(
            {name + ".weight",
             {layer.out(), layer.in()},
             std::vector<float>(layer.W.data(), layer.W.data() + layer.W.size())});
        file.tensors.push_back(
            {name + ".bias",
             {layer.out()},
             std::vector<float>(layer.b.data(), layer.b.data() + layer.b.size())});
    }
    writeSafetensors(path, file);
}

LoadedModel loadModel(const std::string& path, const std::string& folder) {
    const SafetensorsFile file =
        readSafetensors(path, kMaxSafetensorsBytes, folder, withinModelBudget(path));
    if (const NamedTensor* bad = firstNonFinite(file))
        throw InputError(path + ": tensor '" + bad->name + "' holds NaN/Inf values");
    std::map<int, const NamedTensor*> weights, biases;
    int layerCount = 0;
    for (const auto& t : file.tensors) {
        int index = 0;
        std::string param;
        if (!parseLayerKey(t.name, index, param))
            throw InputError("unexpected tensor '" + t.name + "' in " + path);
        (param == "weight" ? weights : biases)[index] = &t;
        layerCount = std::max(layerCount, index);
    }
    if (layerCount == 0) throw InputError(path + ": no fc1.weight tensor; not a model file");
    if (layerCount > kMaxLayers)
        throw InputError(path + ": names layer fc" + std::to_string(layerCount) +
                         "; a network has at most " + std::to_string(kMaxLayers) + " layers");

    // The tensors alone define the network, so a plain PyTorch state_dict loads too.
    std::vector<int> widths;
    for (int i = 1; i <= layerCount; ++i) {
        const std::string name = "fc" + std::to_string(i);
        const auto w = weights.find(i);
        const auto b = biases.find(i);
        if (w == weights.end()) throw InputError(path + ": missing tensor '" + name + ".weight'");
        if (b == biases.end()) throw InputError(path + ": missing tensor '" + name + ".bias'");
        const auto& shape = w->second->shape;
        if (shape.size() != 2)
            throw InputError(path + ": " + name + ".weight has shape " + shapeString(shape) +
                             " but must be 2-D");
        for (auto dim : shape)
            if (dim < 1 || dim > kMaxLayerWidth)
                throw InputError(path + ": " + name + ".weight has shape " + shapeString(shape) +
                                 "; widths must be 1 to " + std::to_string(kMaxLayerWidth));
        const int out = static_cast<int>(shape[0]);
        const int in = static_cast<int>(shape[1]);
        if (b->second->shape != std::vector<std::int64_t>{out})
            throw InputError(path + ": " + name + ".bias has shape " +
                             shapeString(b->second->shape) + " but " + name + " has " +
                             std::to_string(out) + " outputs");
        if (i == 1)
            widths.push_back(in);
        else if (in != widths.back())
            throw InputError(path + ": " + name + ".weight takes " + std::to_string(in) +
                             " inputs but fc" + std::to_string(i - 1) + " has " +
                             std::to_string(widths.back()) + " outputs");
        widths.push_back(out);
    }

    const auto& meta = file.metadata;
    if (const auto it = meta.find(kVersionKey); it != meta.end() && it->second != kFormatVersion)
        throw InputError(path + ": unsupported " + kVersionKey + " '" + it->second + "'");
    if (const auto it = meta.find(kArchitectureKey); it != meta.end()) {
        std::vector<int> declared;
        try {
            declared = parseArchitecture(it->second);
        } catch (const InputError& e) {
            throw InputError(path + ": " + e.what());
        }
        if (declared != widths)
            throw InputError(path + ": metadata says architecture " + it->second +
                             " but the tensors form " + formatArchitecture(widths));
    }
    checkBudget(path, widths); // before the network is allocated a second time
    ModelInfo info;
    if (const auto it = meta.find(kClassesKey); it != meta.end())
        info.classes = parseMetadataClasses(it->second, widths.back(), path);

    LoadedModel loaded{Mlp(widths), std::move(info)};
    for (int i = 0; i < layerCount; ++i) {
        Linear& layer = loaded.model.layer(i);
        layer.W = ConstMatrixMap(weights[i + 1]->data.data(), layer.out(), layer.in());
        layer.b = Eigen::Map<const Vector>(biases[i + 1]->data.data(), layer.out());
    }
    return loaded;
}

} // namespace lora
