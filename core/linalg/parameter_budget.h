#pragma once
// Parameter and memory calculator: for a model's linear layers, a rank, α and target layers,
// how many parameters LoRA trains, and the bytes of weights, gradients and Adam state for
// full fine-tuning, LoRA and QLoRA. Models are MLP architecture strings ("784-64-2") or
// presets built from published shapes (GPT-2 small, Llama-2-7B, the seeds' toy layers).
#include <cstdint>
#include <string>
#include <vector>

namespace lora {

// `repeat` identical copies (one per transformer block). Names are PEFT module paths
// relative to a block, e.g. "attn.c_attn" or "self_attn.q_proj".
struct LinearShape {
    std::string name;
    std::int64_t in = 0, out = 0;
    bool bias = true;
    std::int64_t repeat = 1;
};

struct ModelShape {
    std::string name;        // "784-64-2" or the preset's name
    std::string description; // one line, with the source of the shapes for presets
    std::vector<LinearShape> linears;
    std::int64_t otherParams = 0; // embeddings, norms, tied heads: counted, never adapted
    // What the preset reproduces when --rank/--targets are not given.
    int defaultRank = 8;
    float defaultAlpha = 8.0f;
    std::vector<std::string> defaultTargets; // empty = every linear
};

// fc1…fcN with bias, from an architecture string; InputError if malformed.
ModelShape mlpShape(const std::string& architecture);

// "seed000" (784-64-2 r4 on fc1,fc2), "richboynet" (784-1000-2000-10 r1), "gpt2-small"
// (c_attn r8), "llama2-7b" (q_proj, v_proj r8), "square4096" (one 4096×4096 layer r8),
// "split512x256" (one 512×256 weight split at r8). InputError lists the names otherwise.
ModelShape presetShape(const std::string& name);
std::vector<std::string> presetNames();

// PEFT's target_modules rule: a target matches a layer whose name equals it or ends with
// "." + target. Every target must match at least one layer (InputError naming it).
bool targetMatches(const std::string& target, const std::string& layerName);

struct LayerBudget {
    std::string name;
    std::int64_t in = 0, out = 0, repeat = 1;
    bool target = false;
    std::int64_t baseParams = 0; // (in·out + bias) · repeat
    std::int64_t loraParams = 0; // r · (in + out) · repeat when targeted
};

// Bytes per element: fp32 4, fp16/bf16 2; NF4 0.5 plus one fp32 absmax per 64-weight block
// (QLoRA without double quantisation), i.e. 0.5625. Activations are not counted.
// full:  weights N·b, gradients N·b, Adam 2·N·b (two moments, same precision — seed 004's
//        "FP16: 14 GB of weights, plus optimizer states requiring another 28 GB" for 7B);
// lora:  weights (N + L)·b, gradients L·b, Adam 2·L·b;
// qlora: weights W·0.5625 + (N − W)·2 + L·2, where W = Σ in·out·repeat over every linear
//        (targeted or not) goes to NF4 and the rest of the base — linear biases, embeddings,
//        norms, untied heads — stays bf16, as bitsandbytes leaves them; gradients L·2, Adam
//        2·L·2 (seed 003). Partial 64-blocks are not rounded up.
struct MemoryRow {
    std::string method;    // "full" | "lora" | "qlora"
    std::string precision; // "fp32" | "fp16" | "bf16" | "nf4+bf16"
    double weightBytes = 0.0, gradientBytes = 0.0, optimizerBytes = 0.0, totalBytes = 0.0;
};

struct ParameterBudget {
    std::string model;
    int rank = 0;
    float alpha = 0.0f;
    float scale = 0.0f;               // α/r, or α/√r with rsLoRA
    std::vector<std::string> targets; // as given; empty = every linear (see layers[].target)
    std::int64_t baseParams = 0;      // N: every parameter of the base model
    std::int64_t loraParams = 0;      // L: trainable with LoRA
    std::int64_t totalParams = 0;     // N + L, PEFT's "all params"
    double trainablePercent = 0.0;    // L / (N + L) · 100, PEFT's "trainable%"
    double incrementPercent = 0.0;    // L / N · 100, seeds 000/001's "parameters increment"
    double reduction = 0.0;           // targeted weights (no bias) / L, seed 003's "256×"
    std::vector<LayerBudget> layers;
    std::vector<MemoryRow> memory; // full fp32/fp16/bf16, lora fp32/fp16/bf16, qlora
};

// InputError unless rank ≥ 1, α finite and > 0, every target matches a layer and the model
// has at least one linear with in, out, repeat ≥ 1. targets empty = every linear layer.
ParameterBudget computeBudget(const ModelShape& model, int rank, float alpha,
                              const std::vector<std::string>& targets, bool rslora = false);

} // namespace lora
