#pragma once
// LoRA adapters in PEFT's save_pretrained layout: a directory holding
// adapter_model.safetensors (keys base_model.model.fcN.lora_A.weight [r,in] and
// ...lora_B.weight [out,r]) and adapter_config.json.
#include "io/safetensors.h"
#include "nn/adapter_weights.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace lora {

struct AdapterInfo {
    std::vector<int> classes;                // what the adapter was trained for
    std::string baseModel = "lora-explorer"; // base_model_name_or_path
    float testAccuracy = NAN;                // percent on its classes' test split, if measured
};

struct ImportedAdapter {
    AdapterWeights weights;
    AdapterInfo info;
};

// Writes `weights` (which must fit `base`) with layers of differing rank or alpha listed in
// rank_pattern / alpha_pattern. Each file is replaced atomically, weights first.
void writeAdapter(const std::string& dir, const Mlp& base, const AdapterWeights& weights,
                  const AdapterInfo& info);
// The bytes writeAdapter would put on disk (both files).
std::size_t adapterBytes(const Mlp& base, const AdapterWeights& weights, const AdapterInfo& info);
// Writes the model's attached adapters (the model must have LoRA attached).
void saveAdapter(const std::string& dir, const Mlp& model, const AdapterInfo& info);

// Reads and checks an adapter directory against `base`: every key form PEFT writes for
// Linear layers, r / lora_alpha / use_rslora / rank_pattern / alpha_pattern honoured, unknown
// config fields ignored. InputError with a precise message for missing files, bad config,
// keys that match no layer, shape mismatches or NaN/Inf.
// Every file read must lie inside `folder` once symlinks are resolved: `dir` itself when
// `folder` is empty, the session's folder for an adapter kept in a session.
ImportedAdapter readAdapter(const std::string& dir, const Mlp& base,
                            const std::string& folder = {});
// The same from bytes in memory; the paths only name the sources in messages.
ImportedAdapter decodeAdapter(const std::vector<std::uint8_t>& config,
                              const std::string& configPath,
                              const std::vector<std::uint8_t>& weights,
                              const std::string& weightsPath, const Mlp& base);
// The same with the weights already read.
ImportedAdapter decodeAdapter(const std::vector<std::uint8_t>& config,
                              const std::string& configPath, const SafetensorsFile& weights,
                              const std::string& weightsPath, const Mlp& base);
// adapter_config.json alone: JSON, peft_type, r, lora_alpha, use_rslora, init; InputError
// naming `configPath` otherwise.
LoraSpec checkAdapterConfig(const std::vector<std::uint8_t>& config, const std::string& configPath);

struct LoadedAdapter {
    LoraConfig config;
    AdapterInfo info;
};
// readAdapter, then attaches it to `model` (replacing any adapter); `model` is untouched on
// failure.
LoadedAdapter loadAdapter(const std::string& dir, Mlp& model);

} // namespace lora
