#pragma once
// A real LoRA file rewritten in another format (or its own, normalised) with every ΔW kept:
// the factors are carried as they are and each module's scale is re-expressed in the target's
// own terms, so ΔW = scale · up · down is unchanged up to the alpha's rounding.
//   PEFT       a folder: base_model.model.<path>.lora_A.weight [r, in(, kh, kw)] /
//              lora_B.weight [out, r(, 1, 1)]; adapter_config.json with r / lora_alpha the most
//              common pair, rank_pattern / alpha_pattern (full module paths) for the others,
//              use_rslora false (α = scale·r, so rsLoRA sources keep their scale).
//   kohya      one file: lora_unet_… / lora_te_… (lora_te1_/lora_te2_ with a second text
//              encoder) .lora_down.weight / .lora_up.weight and an F32 scalar .alpha = scale·r;
//              ss_network_dim / ss_network_alpha (a number, or "Dynamic" where modules differ).
//   diffusers  one file: <component>.<path>.lora_A.weight / lora_B.weight, the scales in the
//              lora_adapter_metadata header config (r, lora_alpha, rank_pattern, alpha_pattern
//              keyed by the full module name, as a model's save_lora_adapter writes its
//              LoraConfig; not the per-component "unet.r" keys of a pipeline's save) — the factors
//              are never rescaled, so a same-format rewrite keeps every tensor bit for bit.
// Names map through io/lora_names.h. Refused with one line naming the module and why: LoHa,
// LoKr, DoRA and whole-weight modules (no LoRA factors), embeddings outside PEFT, GPT-2 Conv1D
// (fan_in_fan_out) into kohya, a kohya name whose dotted path is unknown, and any tensor that
// is not a factor or an alpha (a lora_B.bias): the target would silently lose it.
#include "io/lora_file.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lora {

struct ConvertOptions {
    LoraFormat to = LoraFormat::Peft; // Peft, Kohya or Diffusers
    std::optional<TensorDType> dtype; // of the factors; none: each as read
};

struct ConvertedModule {
    std::string from, to; // its name in the source and in the target
    int rank = 0;
};

// A LoRA file built in memory, ready to be written.
struct LoraOutput {
    LoraFormat format = LoraFormat::Peft;
    SafetensorsFile tensors;
    std::string config; // adapter_config.json for PEFT; empty otherwise
    std::vector<ConvertedModule> modules;
};

// `file` read from `source` (readLoraFile), its modules' up / down / rank / scale possibly
// replaced (combine); `what` names it in messages: InputError "<what>: module <name> cannot be
// written as <format>: <why>".
LoraOutput buildLoraOutput(const LoraFile& file, const LoraSource& source,
                           const ConvertOptions& options, const std::string& what);

// Atomically: a PEFT folder, or one file. The bytes written.
std::uint64_t writeLoraOutput(const std::string& out, const LoraOutput& output);

// "peft" | "kohya" | "diffusers"; InputError for anything else.
LoraFormat convertTargetFrom(const std::string& name);

struct FileConvert {
    LoraFormat from = LoraFormat::Peft, to = LoraFormat::Peft;
    std::vector<ConvertedModule> modules;
    std::uint64_t bytesBefore = 0, bytesAfter = 0;
};

// Reads `path`, converts, writes `out`; nothing is written on any InputError.
FileConvert convertLoraFile(const std::string& path, const std::string& out,
                            const ConvertOptions& options);

} // namespace lora
