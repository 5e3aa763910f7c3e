#include "io/lora_names.h"

#include <array>
#include <cctype>
#include <string_view>
#include <vector>

namespace lora {

namespace {

const std::string kPeftPrefix = "base_model.model.";

// Module names of diffusers' UNet2DConditionModel, SGM's U-Net (kohya's SDXL names) and
// transformers' CLIPTextModel, as their words appear between kohya's underscores. Read from
// those projects' module definitions and kohya / diffusers' conversion code; a token with an
// underscore is one name ("to_q"), never two path steps.
constexpr std::string_view kTokens[] = {
    // diffusers U-Net
    "down_blocks", "up_blocks", "mid_block", "attentions", "resnets", "downsamplers", "upsamplers",
    "conv", "conv1", "conv2", "conv_shortcut", "time_emb_proj", "norm", "norm1", "norm2", "norm3",
    "proj_in", "proj_out", "transformer_blocks", "attn1", "attn2", "to_q", "to_k", "to_v", "to_out",
    "ff", "net", "proj", "conv_in", "conv_out", "conv_norm_out", "time_embedding", "linear_1",
    "linear_2", "add_embedding", "encoder_hid_proj", "processor", "add_q_proj", "add_k_proj",
    "add_v_proj", "to_add_out", "norm_out", "attn", "transformer",
    // SGM U-Net (SDXL in kohya's files)
    "input_blocks", "middle_block", "output_blocks", "in_layers", "out_layers", "emb_layers",
    "skip_connection", "op", "time_embed", "label_emb",
    // transformers CLIP text encoder
    "text_model", "encoder", "layers", "self_attn", "q_proj", "k_proj", "v_proj", "out_proj", "mlp",
    "fc1", "fc2", "embeddings", "token_embedding", "position_embedding", "final_layer_norm",
    "layer_norm1", "layer_norm2", "text_projection"};

const std::array<std::pair<const char*, const char*>, 4> kKohyaPrefixes{{
    {"lora_unet_", "unet"},
    {"lora_te1_", "text_encoder"},
    {"lora_te2_", "text_encoder_2"},
    {"lora_te_", "text_encoder"},
}};

bool isComponent(const std::string& word) {
    return word == "unet" || word == "text_encoder" || word == "text_encoder_2" ||
           word == "transformer";
}

bool isNumber(const std::string& word) {
    if (word.empty()) return false;
    for (char c : word)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

std::vector<std::string> words(const std::string& text, char separator) {
    std::vector<std::string> out(1);
    for (char c : text)
        if (c == separator)
            out.emplace_back();
        else
            out.back() += c;
    return out;
}

// component.path with the component split off when the first step names one.
ModulePath splitComponent(const std::string& dotted) {
    const std::size_t dot = dotted.find('.');
    if (dot != std::string::npos && isComponent(dotted.substr(0, dot)))
        return {dotted.substr(0, dot), dotted.substr(dot + 1)};
    return {"", dotted};
}

// diffusers' legacy attention processor names: ….processor.to_q → ….to_q, to_out → to_out.0.
std::string withoutProcessor(std::string path) {
    const std::string marker = ".processor.";
    const std::size_t at = path.find(marker);
    if (at == std::string::npos) return path;
    path.erase(at, marker.size() - 1);
    if (path.ends_with(".to_out")) path += ".0";
    return path;
}

} // namespace

std::string dottedPath(const std::string& underscored, std::string& unknown) {
    const std::vector<std::string> w = words(underscored, '_');
    std::string out;
    for (std::size_t i = 0; i < w.size();) {
        std::size_t taken = isNumber(w[i]) ? 1 : 0;
        std::string joined;
        for (std::size_t k = 1; i + k <= w.size(); ++k) { // the longest token wins
            joined += (k > 1 ? "_" : "") + w[i + k - 1];
            for (std::string_view t : kTokens)
                if (t == joined) taken = k;
        }
        if (taken == 0) {
            unknown = w[i];
            return "";
        }
        std::string token = w[i];
        for (std::size_t k = 1; k < taken; ++k) token += "_" + w[i + k];
        out += (out.empty() ? "" : ".") + token;
        i += taken;
    }
    return out;
}

ModulePath modulePathOf(const std::string& name, LoraFormat format, std::string& fault) {
    switch (format) {
    case LoraFormat::Peft:
        return splitComponent(name.starts_with(kPeftPrefix) ? name.substr(kPeftPrefix.size())
                                                            : name);
    case LoraFormat::Diffusers: {
        ModulePath p = splitComponent(name);
        p.path = withoutProcessor(p.path);
        return p;
    }
    case LoraFormat::Kohya:
    case LoraFormat::Lycoris:
        break;
    }
    for (const auto& [prefix, component] : kKohyaPrefixes) {
        if (!name.starts_with(prefix)) continue;
        std::string unknown;
        const std::string path = dottedPath(name.substr(std::string(prefix).size()), unknown);
        if (path.empty()) {
            fault = "'" + unknown +
                    "' in its kohya name is not a Stable Diffusion, SDXL or CLIP module name";
            return {};
        }
        return {component, path};
    }
    fault = "its kohya name starts with none of lora_unet_, lora_te_, lora_te1_, lora_te2_";
    return {};
}

std::string moduleNameIn(const ModulePath& module, LoraFormat format, bool sdxl,
                         std::string& fault) {
    const std::string component = module.component.empty() ? "" : module.component + ".";
    switch (format) {
    case LoraFormat::Peft:
        return kPeftPrefix + component + module.path;
    case LoraFormat::Diffusers:
        return component + module.path;
    case LoraFormat::Kohya:
    case LoraFormat::Lycoris:
        break;
    }
    std::string prefix;
    if (module.component == "unet") prefix = "lora_unet_";
    if (module.component == "text_encoder") prefix = sdxl ? "lora_te1_" : "lora_te_";
    if (module.component == "text_encoder_2") prefix = "lora_te2_";
    if (prefix.empty()) {
        fault = "kohya names only unet, text_encoder and text_encoder_2 modules";
        return "";
    }
    std::string path = module.path;
    for (char& c : path)
        if (c == '.') c = '_';
    return prefix + path;
}

} // namespace lora
