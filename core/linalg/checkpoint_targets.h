#pragma once
// Which weight of a model checkpoint an adapter module changes, by the naming rules of the
// projects that write both:
// - PEFT: base_model.model.<path> -> <path>.weight. transformers saves a model with or without
//   its base-model prefix (LlamaForCausalLM's model.layers…, GPT-2's transformer.h… saved as
//   h…), so <path> without its first part and model.<path> are tried next, in that order.
// - diffusers: unet./transformer./text_encoder(_2)./prior.<path> -> <path>.weight in that
//   component's checkpoint; the legacy attn.processor.to_q form -> attn.to_q (to_out -> to_out.0).
// - kohya and LyCORIS: lora_unet_ / lora_te_ / lora_te1_ / lora_te2_<path with '_'> matched
//   against the checkpoint's names with '.' read as '_' — exactly, else as the end of one
//   name (an original-layout checkpoint's model.diffusion_model. prefix); one match is required.
#include <map>
#include <string>
#include <vector>

namespace lora {

class CheckpointTargets {
public:
    explicit CheckpointTargets(const std::vector<std::string>& tensorNames);

    // The checkpoint tensor `module` changes; InputError "<what>: module '…' …" when none, or
    // (kohya) when several, match.
    std::string weightFor(const std::string& module, const std::string& what) const;

private:
    std::string kohyaMatch(const std::string& key, const std::string& module,
                           const std::string& what) const;
    bool has(const std::string& name) const { return m_names.count(name) > 0; }

    std::map<std::string, int> m_names;                     // the checkpoint's tensors
    std::map<std::string, std::vector<std::string>> m_flat; // "a_b_c" -> "a.b.c.weight"
};

} // namespace lora
