#pragma once
// LoRA adapters in PEFT's save_pretrained layout: a directory holding
// adapter_model.safetensors (keys base_model.model.fcN.lora_A.weight [r,in] and
// ...lora_B.weight [out,r]) and adapter_config.json.
#include "nn/mlp.h"

#include <string>
#include <vector>

namespace lora {

struct AdapterInfo {
    std::vector<int> classes;                // what the adapter was trained for
    std::string baseModel = "lora-explorer"; // base_model_name_or_path
};

// Writes the model's attached adapters (the model must have LoRA attached).
void saveAdapter(const std::string& dir, const Mlp& model, const AdapterInfo& info);

struct LoadedAdapter {
    LoraConfig config;
    AdapterInfo info;
};
// Reads an adapter directory and attaches it to `model` (replacing any adapter).
// Throws InputError with a precise message for missing files, bad config, keys that
// match no layer or shape mismatches; `model` is untouched on failure.
LoadedAdapter loadAdapter(const std::string& dir, Mlp& model);

} // namespace lora
