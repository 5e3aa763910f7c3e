#pragma once
// Any LoRA file people hold, read base-free: a PEFT folder (adapter_config.json +
// adapter_model.safetensors), a kohya single file (lora_down / lora_up / alpha), a diffusers
// pytorch_lora_weights file (PEFT-style keys under unet. / text_encoder. / transformer., or the
// legacy to_q_lora.down form) and LyCORIS LoHa / LoKr, told apart by their keys alone. Each
// module becomes thin factors whose product is its ΔW (scale included), so spectra and resizes
// never need the [out, in] matrix.
#include "io/lora_module.h"
#include "io/safetensors.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lora {

struct LoraFile {
    LoraFormat format = LoraFormat::Peft;
    std::map<std::string, std::string> metadata; // the safetensors header's strings
    std::string baseModel;                       // when the file or config names one
    std::vector<LoraModule> modules;             // in the order of their first tensor
    std::int64_t params = 0;                     // values in all tensors
    std::uint64_t bytes = 0;                     // on disk (both files of a PEFT folder)
    bool rslora = false; // the config (PEFT's or diffusers' header) scales by α/√r
};

// What a LoraFile was read from, for writing it back changed (resize, convert).
struct LoraSource {
    SafetensorsFile tensors;
    std::string config;  // adapter_config.json's text; empty for a single file
    bool folder = false; // a PEFT folder (or its adapter_model.safetensors)
};

// A file or a PEFT folder. InputError "<path>: …" naming the tensor and the fault for anything
// that is not one of the formats or disagrees with itself (shapes, ranks of the two halves,
// a missing half, alpha not a finite positive number, an unknown suffix).
// `source`, when given, receives what was read.
LoraFile readLoraFile(const std::string& path, LoraSource* source = nullptr);
// The same from tensors already read; `peftConfig` is adapter_config.json when there is one.
LoraFile decodeLoraFile(const SafetensorsFile& file, const nlohmann::json* peftConfig,
                        const std::string& what);

} // namespace lora
