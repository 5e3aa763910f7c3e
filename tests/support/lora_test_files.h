#pragma once
// Small LoRA files in every format the inspector reads, written here following each project's
// published key names and rules (PEFT, kohya sd-scripts, diffusers, LyCORIS), with random
// factors from a fixed seed. Each comes with the ΔW of every module formed densely in double
// precision, the independent reference the tests check spectra against.
#include "io/float16.h"
#include "io/safetensors.h"
#include "util/rng.h"

#include <Eigen/Dense>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
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

// kohya SDXL-style with the modules of kohyaFile (a 3×3 conv, te1 and te2 linears) at ranks
// `ranks` and a seed of its own, every module with an alpha: inputs for combine.
inline TestLoraFile kohyaSdxlFile(std::uint64_t seed, std::array<int, 3> ranks,
                                  std::array<float, 3> alphas) {
    Rng rng(seed);
    TestLoraFile f;
    const std::string names[] = {"lora_unet_input_blocks_4_0_in_layers_2",
                                 "lora_te1_text_model_encoder_layers_0_self_attn_q_proj",
                                 "lora_te2_text_model_encoder_layers_0_mlp_fc1"};
    const std::vector<std::int64_t> downs[] = {{ranks[0], 6, 3, 3}, {ranks[1], 16}, {ranks[2], 16}};
    const std::vector<std::int64_t> ups[] = {{8, ranks[0], 1, 1}, {16, ranks[1]}, {24, ranks[2]}};
    for (int i = 0; i < 3; ++i) {
        addLora(f, rng, names[i], ".lora_down.weight", ".lora_up.weight", downs[i], ups[i],
                alphas[i] / ranks[i]);
        f.tensors.tensors.push_back(scalar(names[i] + ".alpha", alphas[i]));
    }
    f.tensors.metadata = {{"ss_network_module", "networks.lora"},
                          {"ss_base_model_version", "sdxl_base_v1-0"}};
    return f;
}

// A PEFT folder over a Stable Diffusion pipeline's components (base_model.model.unet. /
// text_encoder.), rsLoRA on, r 4 / lora_alpha 8 with a 3×3 conv at r 2 (rank_pattern) and the
// text encoder's q_proj at alpha 4 (alpha_pattern): every module kohya and diffusers can name.
inline TestLoraFile peftPipelineFile(std::uint64_t seed = 6) {
    Rng rng(seed);
    TestLoraFile f;
    const std::string p = "base_model.model.";
    auto s = [](double alpha, int r) { return alpha / std::sqrt(double(r)); };
    addLora(f, rng, p + "unet.down_blocks.0.resnets.0.conv1", ".lora_A.weight", ".lora_B.weight",
            {2, 5, 3, 3}, {7, 2, 1, 1}, s(8, 2));
    addLora(f, rng, p + "unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_out.0",
            ".lora_A.weight", ".lora_B.weight", {4, 12}, {12, 4}, s(8, 4));
    addLora(f, rng, p + "text_encoder.text_model.encoder.layers.0.self_attn.q_proj",
            ".lora_A.weight", ".lora_B.weight", {4, 10}, {10, 4}, s(4, 4));
    f.tensors.metadata["format"] = "pt";
    f.config = R"({"peft_type": "LORA", "r": 4, "lora_alpha": 8, "use_rslora": true,
                  "rank_pattern": {"conv1": 2}, "alpha_pattern": {"q_proj": 4},
                  "target_modules": ["conv1", "to_out.0", "q_proj"]})";
    return f;
}

// `f` written at `path`: a PEFT folder (adapter_model.safetensors + adapter_config.json) when it
// has a config, else one .safetensors file. Returns `path`.
inline std::string writeLoraTestFile(const std::string& path, const TestLoraFile& f) {
    if (f.config.empty()) {
        writeSafetensors(path, f.tensors);
        return path;
    }
    std::filesystem::create_directories(path);
    writeSafetensors(path + "/adapter_model.safetensors", f.tensors);
    std::ofstream(path + "/adapter_config.json") << f.config;
    return path;
}

// merge-into: model checkpoints as transformers / diffusers / SD single files store them, with
// every value kept as stored (already rounded to its dtype) for the reference W + ΔW.
struct CheckpointTestTensor {
    std::string name, dtype; // "F32", "F16", "BF16", or "I64" (values taken as integers)
    std::vector<std::int64_t> shape;
    std::vector<double> values;
};

inline CheckpointTestTensor checkpointTensor(Rng& rng, const std::string& name,
                                             const std::string& dtype,
                                             std::vector<std::int64_t> shape) {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    CheckpointTestTensor t{name, dtype, shape, {}};
    for (std::int64_t i = 0; i < n; ++i) {
        const float x = rng.normal();
        t.values.push_back(dtype == "F16"    ? halfToFloat(floatToHalf(x))
                           : dtype == "BF16" ? bf16ToFloat(floatToBf16(x))
                           : dtype == "I64"  ? double(i)
                                             : double(x));
    }
    return t;
}

// The stored bytes of `t`'s values.
inline std::vector<std::uint8_t> storedBytes(const CheckpointTestTensor& t) {
    std::vector<std::uint8_t> out;
    for (double v : t.values) {
        std::uint64_t bits = 0;
        std::size_t size = 2;
        if (t.dtype == "F16") bits = floatToHalf(float(v));
        if (t.dtype == "BF16") bits = floatToBf16(float(v));
        if (t.dtype == "F32") {
            const float f = float(v);
            std::uint32_t b32;
            std::memcpy(&b32, &f, 4);
            bits = b32;
            size = 4;
        }
        if (t.dtype == "I64") {
            bits = std::uint64_t(std::int64_t(v));
            size = 8;
        }
        for (std::size_t i = 0; i < size; ++i) out.push_back(std::uint8_t(bits >> (8 * i)));
    }
    return out;
}

// A safetensors file of `tensors` in this order, any dtype, with a "format": "pt" metadata entry.
inline std::vector<std::uint8_t> checkpointBytes(const std::vector<CheckpointTestTensor>& tensors) {
    std::string header = R"({"__metadata__":{"format":"pt"})";
    std::vector<std::uint8_t> data;
    for (const auto& t : tensors) {
        const std::vector<std::uint8_t> bytes = storedBytes(t);
        std::string shape;
        for (std::size_t i = 0; i < t.shape.size(); ++i)
            shape += (i ? "," : "") + std::to_string(t.shape[i]);
        header += ",\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + shape +
                  "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
                  std::to_string(data.size() + bytes.size()) + "]}";
        data.insert(data.end(), bytes.begin(), bytes.end());
    }
    header += "}";
    header.append((8 - header.size() % 8) % 8, ' ');
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 8; ++i)
        out.push_back(std::uint8_t(std::uint64_t(header.size()) >> (8 * i)));
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

inline void writeBytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// Llama-shaped, for peftFile()'s modules (q_proj/v_proj [10, 12], embed_tokens [30, 12]) in
// two shards with BF16, F16, F32 and I64 tensors; layers.1's k_proj, the norm, lm_head and
// position_ids are left alone by the adapter.
inline std::vector<std::vector<CheckpointTestTensor>> llamaShards() {
    Rng rng(21);
    const std::string l0 = "model.layers.0.self_attn.", l1 = "model.layers.1.self_attn.";
    return {{checkpointTensor(rng, "model.embed_tokens.weight", "BF16", {30, 12}),
             checkpointTensor(rng, l0 + "q_proj.weight", "F16", {10, 12}),
             checkpointTensor(rng, l0 + "v_proj.weight", "F16", {10, 12}),
             checkpointTensor(rng, "model.layers.0.input_layernorm.weight", "F32", {12}),
             checkpointTensor(rng, "model.position_ids", "I64", {1, 30})},
            {checkpointTensor(rng, l1 + "q_proj.weight", "BF16", {10, 12}),
             checkpointTensor(rng, l1 + "k_proj.weight", "F32", {10, 12}),
             checkpointTensor(rng, "lm_head.weight", "F16", {30, 12})}};
}

inline std::string llamaShardName(std::size_t k, std::size_t n) {
    return "model-0000" + std::to_string(k + 1) + "-of-0000" + std::to_string(n) + ".safetensors";
}

// `shards` as transformers saves a sharded checkpoint in `dir`: the shards, the index, a
// config.json and a tokenizer.json.
inline void writeShardedCheckpoint(const std::string& dir,
                                   const std::vector<std::vector<CheckpointTestTensor>>& shards) {
    std::filesystem::create_directories(dir);
    std::string map;
    std::size_t total = 0;
    for (std::size_t k = 0; k < shards.size(); ++k) {
        const std::vector<std::uint8_t> bytes = checkpointBytes(shards[k]);
        writeBytes(dir + "/" + llamaShardName(k, shards.size()), bytes);
        for (const auto& t : shards[k]) {
            map += std::string(map.empty() ? "" : ",") + "\"" + t.name + "\":\"" +
                   llamaShardName(k, shards.size()) + "\"";
            total += storedBytes(t).size();
        }
    }
    std::ofstream(dir + "/model.safetensors.index.json")
        << R"({"metadata":{"total_size":)" << total << R"(},"weight_map":{)" << map << "}}";
    std::ofstream(dir + "/config.json") << R"({"architectures":["LlamaForCausalLM"]})";
    std::ofstream(dir + "/tokenizer.json") << R"({"version":"1.0"})";
}

// GPT-2's Conv1D stores [in, out]: a PEFT adapter with fan_in_fan_out on transformer.h.0's
// c_attn (in 8, out 24) and the square c_proj (8×8), r 2, lora_alpha 4; delta holds (s·B·A)ᵀ,
// the change as the checkpoint stores it.
inline TestLoraFile gpt2File() {
    Rng rng(22);
    TestLoraFile f;
    const std::string p = "base_model.model.transformer.h.0.attn.";
    addLora(f, rng, p + "c_attn", ".lora_A.weight", ".lora_B.weight", {2, 8}, {24, 2}, 2.0);
    addLora(f, rng, p + "c_proj", ".lora_A.weight", ".lora_B.weight", {2, 8}, {8, 2}, 2.0);
    for (auto& [name, d] : f.delta) d = Dense(d.transpose());
    f.config = R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, "fan_in_fan_out": true,
                  "target_modules": ["c_attn", "c_proj"], "base_model_name_or_path": "gpt2"})";
    return f;
}

// kohya LoCon for an SD UNet: a 3×3 conv (r 4, alpha 2) and a linear over a 1×1 conv
// (r 2, alpha 1), for an original-layout checkpoint (model.diffusion_model.…).
inline TestLoraFile kohyaUnetFile() {
    Rng rng(23);
    TestLoraFile f;
    const std::string conv = "lora_unet_input_blocks_4_0_in_layers_2";
    addLora(f, rng, conv, ".lora_down.weight", ".lora_up.weight", {4, 6, 3, 3}, {8, 4, 1, 1},
            2.0 / 4);
    f.tensors.tensors.push_back(scalar(conv + ".alpha", 2.0f));
    const std::string proj = "lora_unet_middle_block_1_proj_in";
    addLora(f, rng, proj, ".lora_down.weight", ".lora_up.weight", {2, 8}, {8, 2}, 1.0 / 2);
    f.tensors.tensors.push_back(scalar(proj + ".alpha", 1.0f));
    return f;
}

} // namespace lora::test
