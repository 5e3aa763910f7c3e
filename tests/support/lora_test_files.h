#pragma once
// Small LoRA files in every format the inspector reads, written here following each project's
// published key names and rules (PEFT, kohya sd-scripts, diffusers, LyCORIS), with random
// factors from a fixed seed. Each comes with the ΔW of every module formed densely in double
// precision, the independent reference the tests check spectra against.
#include "io/safetensors.h"
#include "util/rng.h"

#include <Eigen/Dense>
#include <map>
#include <string>
#include <vector>

namespace lora::test {

using Dense = Eigen::MatrixXd;

struct TestLoraFile {
    SafetensorsFile tensors;
    std::string config;                 // adapter_config.json text; empty for single files
    std::map<std::string, Dense> delta; // module name -> ΔW as [out, in·kh·kw] (or its transpose)
};

inline std::vector<float> randomValues(Rng& rng, std::int64_t n) {
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float& x : v) x = rng.normal();
    return v;
}

inline Dense denseOf(const NamedTensor& t) {
    const Eigen::Index rows = t.shape[0];
    const Eigen::Index cols = static_cast<Eigen::Index>(t.data.size()) / rows;
    Dense m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = t.data[i * cols + j];
    return m;
}

inline NamedTensor tensor(Rng& rng, const std::string& name, std::vector<std::int64_t> shape) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return {name, shape, randomValues(rng, n)};
}

// down [r, in(, k, k)] and up [out, r(, 1, 1)] under `module` with the given suffixes.
inline void addLora(TestLoraFile& f, Rng& rng, const std::string& module, const std::string& down,
                    const std::string& up, std::vector<std::int64_t> downShape,
                    std::vector<std::int64_t> upShape, double scale) {
    const NamedTensor a = tensor(rng, module + down, downShape);
    const NamedTensor b = tensor(rng, module + up, upShape);
    f.tensors.tensors.push_back(a);
    f.tensors.tensors.push_back(b);
    f.delta[module] = scale * denseOf(b) * denseOf(a);
}

inline NamedTensor scalar(const std::string& name, float value) {
    return {name, {}, {value}};
}

// PEFT: r 4, lora_alpha 8; v_proj at r 2 (rank_pattern), layers.1's q_proj at alpha 16
// (alpha_pattern), an embedding; `rslora` switches α/r to α/√r.
inline TestLoraFile peftFile(bool rslora = false) {
    Rng rng(1);
    TestLoraFile f;
    const std::string p = "base_model.model.model.";
    auto s = [&](double alpha, int r) { return rslora ? alpha / std::sqrt(double(r)) : alpha / r; };
    addLora(f, rng, p + "layers.0.self_attn.q_proj", ".lora_A.weight", ".lora_B.weight", {4, 12},
            {10, 4}, s(8, 4));
    addLora(f, rng, p + "layers.0.self_attn.v_proj", ".lora_A.weight", ".lora_B.weight", {2, 12},
            {10, 2}, s(8, 2));
    addLora(f, rng, p + "layers.1.self_attn.q_proj", ".lora_A.weight", ".lora_B.weight", {4, 12},
            {10, 4}, s(16, 4));
    addLora(f, rng, p + "embed_tokens", ".lora_embedding_A", ".lora_embedding_B", {4, 30}, {12, 4},
            s(8, 4));
    f.tensors.metadata["format"] = "pt";
    f.config =
        std::string(R"({"peft_type": "LORA", "r": 4, "lora_alpha": 8, "use_rslora": )") +
        (rslora ? "true" : "false") +
        R"(, "rank_pattern": {"v_proj": 2}, "alpha_pattern": {"layers.1.self_attn.q_proj": 16},
               "target_modules": ["q_proj", "v_proj", "embed_tokens"],
               "base_model_name_or_path": "tiny-llama"})";
    return f;
}

// kohya SDXL-style: a 3×3 LoCon conv with alpha 2, a te1 linear without alpha (alpha = r),
// a te2 linear with alpha 1, and the ss_* metadata strings.
inline TestLoraFile kohyaFile() {
    Rng rng(2);
    TestLoraFile f;
    const std::string conv = "lora_unet_input_blocks_4_0_in_layers_2";
    addLora(f, rng, conv, ".lora_down.weight", ".lora_up.weight", {4, 6, 3, 3}, {8, 4, 1, 1},
            2.0 / 4);
    f.tensors.tensors.push_back(scalar(conv + ".alpha", 2.0f));
    addLora(f, rng, "lora_te1_text_model_encoder_layers_0_self_attn_q_proj", ".lora_down.weight",
            ".lora_up.weight", {4, 16}, {16, 4}, 1.0);
    const std::string te2 = "lora_te2_text_model_encoder_layers_0_mlp_fc1";
    addLora(f, rng, te2, ".lora_down.weight", ".lora_up.weight", {2, 16}, {24, 2}, 1.0 / 2);
    f.tensors.tensors.push_back(scalar(te2 + ".alpha", 1.0f));
    f.tensors.metadata = {{"ss_network_module", "networks.lora"},
                          {"ss_network_dim", "4"},
                          {"ss_base_model_version", "sdxl_base_v1-0"},
                          {"ss_tag_frequency", R"({"set": {"cat": 12, "dog": 3}})"}};
    return f;
}

// diffusers: PEFT-style keys under unet. with its config in lora_adapter_metadata, plus one
// module in the legacy processor form.
inline TestLoraFile diffusersFile() {
    Rng rng(3);
    TestLoraFile f;
    addLora(f, rng, "unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q", ".lora_A.weight",
            ".lora_B.weight", {4, 20}, {20, 4}, 2.0 / 4);
    addLora(f, rng, "text_encoder.text_model.encoder.layers.0.self_attn.k_proj", ".lora_A.weight",
            ".lora_B.weight", {4, 16}, {16, 4}, 2.0 / 4);
    f.tensors.metadata["lora_adapter_metadata"] = R"({"r": 4, "lora_alpha": 2})";
    return f;
}

inline TestLoraFile legacyDiffusersFile() {
    Rng rng(4);
    TestLoraFile f;
    addLora(f, rng, "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.processor.to_q",
            "_lora.down.weight", "_lora.up.weight", {4, 20}, {20, 4}, 1.0);
    return f;
}

// LyCORIS LoHa (dim 2, alpha 1) and LoKr (w1 whole, w2 from halves of dim 2, alpha 1).
inline TestLoraFile lycorisFile() {
    Rng rng(5);
    TestLoraFile f;
    const std::string loha = "lora_unet_mid_block_attentions_0_proj_out";
    NamedTensor w1a = tensor(rng, loha + ".hada_w1_a", {8, 2});
    NamedTensor w1b = tensor(rng, loha + ".hada_w1_b", {2, 6});
    NamedTensor w2a = tensor(rng, loha + ".hada_w2_a", {8, 2});
    NamedTensor w2b = tensor(rng, loha + ".hada_w2_b", {2, 6});
    f.delta[loha] = 0.5 * (denseOf(w1a) * denseOf(w1b)).cwiseProduct(denseOf(w2a) * denseOf(w2b));
    for (auto* t : {&w1a, &w1b, &w2a, &w2b}) f.tensors.tensors.push_back(*t);
    f.tensors.tensors.push_back(scalar(loha + ".alpha", 1.0f));

    const std::string lokr = "lora_te_text_model_encoder_layers_0_mlp_fc2";
    NamedTensor w1 = tensor(rng, lokr + ".lokr_w1", {2, 3});
    NamedTensor w2a2 = tensor(rng, lokr + ".lokr_w2_a", {4, 2});
    NamedTensor w2b2 = tensor(rng, lokr + ".lokr_w2_b", {2, 5});
    const Dense left = denseOf(w1), right = denseOf(w2a2) * denseOf(w2b2);
    Dense kron(left.rows() * right.rows(), left.cols() * right.cols());
    for (Eigen::Index i = 0; i < left.rows(); ++i)
        for (Eigen::Index j = 0; j < left.cols(); ++j)
            kron.block(i * right.rows(), j * right.cols(), right.rows(), right.cols()) =
                left(i, j) * right;
    f.delta[lokr] = 0.5 * kron;
    for (auto* t : {&w1, &w2a2, &w2b2}) f.tensors.tensors.push_back(*t);
    f.tensors.tensors.push_back(scalar(lokr + ".alpha", 1.0f));
    return f;
}

} // namespace lora::test
