#include "io/adapter_config.h"

#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace lora {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxQuoted = 40;

// Fields we read as flags. A string "true" or a 1 is a typo or another tool's dialect; guessing
// either way could load a different adapter than the author trained.
constexpr const char* kBooleans[] = {"use_dora",       "fan_in_fan_out", "use_rslora",
                                     "inference_mode", "lora_bias",      "use_qalora"};

struct Unsupported {
    const char* field;
    const char* why; // what the field would make the adapter do that we cannot
};

// Flags whose true changes the adapter's forward pass.
constexpr Unsupported kTrueFlags[] = {
    {"use_dora", "DoRA rescales each column by a learned magnitude"},
    {"fan_in_fan_out", "it stores the base weights transposed (Conv1D)"},
    {"lora_bias", "it adds a trained bias to lora_B"},
    {"use_qalora", "QALoRA pools the inputs of quantized layers"},
};

// Fields that must be absent, null or empty: each set value adds weights or changes which
// weights are adapted in a way our loader would silently skip.
constexpr Unsupported kMustBeEmpty[] = {
    {"modules_to_save", "it saves whole trained copies of other modules"},
    {"layers_to_transform", "it adapts only chosen repeats of a block, which our MLPs lack"},
    {"layers_pattern", "it adapts only chosen repeats of a block, which our MLPs lack"},
    {"exclude_modules", "it narrows target_modules by rules we do not apply"},
    {"target_parameters", "it adapts raw parameters, not Linear modules"},
    {"trainable_token_indices", "it trains embedding rows"},
    {"layer_replication", "it duplicates base layers"},
    {"megatron_config", "it targets Megatron's parallel layers"},
    {"alora_invocation_tokens", "activated LoRA switches on mid-sequence"},
    {"arrow_config", "Arrow routes between several adapters"},
};

bool isEmptyValue(const json& v) {
    return v.is_null() || ((v.is_array() || v.is_object() || v.is_string()) && v.empty());
}

// A name PEFT would match literally: its string form is a regular expression, and a plain
// name is the only kind whose matches we can reproduce without a regex engine.
bool isPlainName(const std::string& s) {
    return !s.empty() && s.size() <= kMaxQuoted && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

// PEFT matches a target against a module's full name by suffix at a '.' boundary.
bool targets(const std::string& target, const std::string& layer) {
    return target == layer || (target.size() > layer.size() && target.ends_with("." + layer));
}

std::vector<std::string> targetNames(const json& value, const std::string& where) {
    std::vector<std::string> names;
    if (value.is_string()) {
        names.push_back(value.get<std::string>());
    } else {
        for (const json& item : value) names.push_back(item.get<std::string>());
    }
    for (const std::string& name : names)
        if (name != "all-linear" && !isPlainName(name))
            throw InputError(where + "target_modules entry " + quotedValue(json(name)) +
                             " is not supported: give plain module names, not a regular "
                             "expression");
    return names;
}

void checkTargetShape(const json& config, const std::string& where) {
    const auto it = config.find("target_modules");
    if (it == config.end() || it->is_null() || it->is_string()) return;
    if (!it->is_array() || it->empty() ||
        !std::all_of(it->begin(), it->end(), [](const json& v) { return v.is_string(); }))
        throw InputError(where + "target_modules must be a non-empty list of module names");
}

} // namespace

std::string quotedValue(const json& value) {
    std::string text = value.dump(-1, ' ', true, json::error_handler_t::replace);
    if (text.size() <= kMaxQuoted) return text;
    if (value.is_array()) return "(a list of " + std::to_string(value.size()) + " items)";
    if (value.is_object()) return "(an object of " + std::to_string(value.size()) + " fields)";
    if (value.is_string())
        return "(a string of " + std::to_string(value.get_ref<const std::string&>().size()) +
               " bytes)";
    return "(a long " + std::string(value.type_name()) + ")";
}

void checkConfigFields(const json& config, const std::string& configPath) {
    const std::string where = configPath + ": ";
    for (const char* field : kBooleans)
        if (const auto it = config.find(field); it != config.end() && !it->is_boolean())
            throw InputError(where + field + " must be true or false (got " + quotedValue(*it) +
                             ")");
    for (const Unsupported& u : kTrueFlags)
        if (const auto it = config.find(u.field); it != config.end() && *it == true)
            throw InputError(where + u.field + " true is not supported: " + u.why);
    if (const auto it = config.find("bias"); it != config.end() && *it != "none")
        throw InputError(where + "bias " + quotedValue(*it) +
                         " is not supported: it trains the base's biases too; only \"none\" is");
    for (const Unsupported& u : kMustBeEmpty)
        if (const auto it = config.find(u.field); it != config.end() && !isEmptyValue(*it))
            throw InputError(where + u.field + " " + quotedValue(*it) +
                             " is not supported: " + u.why);
    if (const auto it = config.find("init_lora_weights");
        it != config.end() && !it->is_boolean() && !it->is_string())
        throw InputError(where + "init_lora_weights must be true, false or a method name (got " +
                         quotedValue(*it) + ")");
    checkTargetShape(config, where);
    if (const auto it = config.find("target_modules"); it != config.end() && !it->is_null())
        targetNames(*it, where);
}

void checkTargetModules(const json& config, const std::string& configPath,
                        const std::vector<std::string>& layersWithTensors) {
    const auto it = config.find("target_modules");
    if (it == config.end() || it->is_null()) return; // older configs: the tensors decide
    const std::string where = configPath + ": ";
    const std::vector<std::string> names = targetNames(*it, where);
    if (std::find(names.begin(), names.end(), "all-linear") != names.end()) return;
    for (const std::string& name : names)
        if (std::none_of(layersWithTensors.begin(), layersWithTensors.end(),
                         [&](const std::string& layer) { return targets(name, layer); }))
            throw InputError(where + "target_modules lists " + quotedValue(json(name)) +
                             " but the weights hold no LoRA tensors for it");
    for (const std::string& layer : layersWithTensors)
        if (std::none_of(names.begin(), names.end(),
                         [&](const std::string& name) { return targets(name, layer); }))
            throw InputError(where + "the weights hold LoRA tensors for " + layer +
                             ", which target_modules does not list");
}

} // namespace lora
