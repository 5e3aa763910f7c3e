#pragma once
// Module names across LoRA formats. Every format names a module by the model component it
// adapts (a Stable Diffusion pipeline's unet, text_encoder, text_encoder_2, or a PEFT model's
// single network) and the dotted path inside it; only the spelling differs:
//   PEFT       base_model.model.[<component>.]<path>
//   diffusers  <component>.<path>  (legacy: ….processor.to_q → ….to_q, to_out → to_out.0)
//   kohya      lora_unet_ / lora_te_ (lora_te1_, lora_te2_ in SDXL) + <path> with "." → "_"
// kohya's underscores are ambiguous (to_q is one module name, layers_0 two), so the dotted
// path comes back only for the names this table knows: the multi-word tokens of diffusers' and
// SGM's U-Nets and transformers' CLIP text encoders.
#include "io/lora_module.h"

#include <string>

namespace lora {

struct ModulePath {
    std::string component; // "unet", "text_encoder", "text_encoder_2", "transformer" or ""
    std::string path;      // dotted, inside the component
};

// A module name as `format` spells it, taken apart. For kohya and LyCORIS names `fault`
// receives why it cannot be (an unknown prefix, or the first word no known module name holds),
// and the result is then empty.
ModulePath modulePathOf(const std::string& name, LoraFormat format, std::string& fault);

// The name `format` gives the module. kohya: lora_te1_/lora_te2_ when `sdxl` (the file has a
// text_encoder_2), else lora_te_; `fault` says why when the format has no name for it.
std::string moduleNameIn(const ModulePath& module, LoraFormat format, bool sdxl,
                         std::string& fault);

// "to_q_lora" style: an underscored path back to dots by the token table, or "" with the
// first unknown word in `unknown`.
std::string dottedPath(const std::string& underscored, std::string& unknown);

} // namespace lora
