// Presets of parameter_budget.h. Each reproduces a published count exactly, so the shapes
// follow the released checkpoints (config.json on the Hugging Face Hub) and the seeds.
#include "linalg/parameter_budget.h"
#include "util/error.h"

namespace lora {

namespace {

ModelShape seed000() {
    ModelShape m = mlpShape("784-64-2");
    m.name = "seed000";
    m.description = "784-64-2 MLP, rank-4 adapters on fc1 and fc2 "
                    "(seed 000: 3,656 LoRA parameters on 50,370, +7.26 %)";
    m.defaultRank = 4;
    m.defaultAlpha = 1.0f;
    m.defaultTargets = {"fc1", "fc2"};
    return m;
}

ModelShape richBoyNet() {
    ModelShape m = mlpShape("784-1000-2000-10");
    m.name = "richboynet";
    m.description = "RichBoyNet 784-1000-2000-10, rank-1 adapters on every layer "
                    "(seed 001: 6,794 LoRA parameters on 2,807,010, 0.242 %)";
    m.defaultRank = 1;
    m.defaultAlpha = 1.0f;
    return m;
}

ModelShape gpt2Small() {
    constexpr std::int64_t vocab = 50257, positions = 1024, d = 768, blocks = 12;
    ModelShape m;
    m.name = "gpt2-small";
    m.description = "GPT-2 small, HF 'gpt2' config (n_embd 768, n_layer 12, vocab 50257, "
                    "n_positions 1024); Conv1D layers with bias, lm_head tied to wte";
    // Conv1D stores its weight [in, out], but the counts only depend on in·out.
    m.linears = {{"attn.c_attn", d, 3 * d, true, blocks},
                 {"attn.c_proj", d, d, true, blocks},
                 {"mlp.c_fc", d, 4 * d, true, blocks},
                 {"mlp.c_proj", 4 * d, d, true, blocks}};
    // wte + wpe + ln_1, ln_2 per block (weight and bias) + ln_f. The tied head adds nothing.
    m.otherParams = vocab * d + positions * d + blocks * 2 * (2 * d) + 2 * d;
    m.defaultRank = 8;
    m.defaultAlpha = 32.0f;
    m.defaultTargets = {"c_attn"};
    return m;
}

ModelShape llama2_7b() {
    constexpr std::int64_t vocab = 32000, d = 4096, ffn = 11008, layers = 32;
    ModelShape m;
    m.name = "llama2-7b";
    m.description = "Llama-2-7B, HF 'meta-llama/Llama-2-7b-hf' config (hidden 4096, "
                    "intermediate 11008, 32 layers, 32 heads, vocab 32000); no biases, "
                    "untied lm_head";
    // 32 key/value heads (no GQA), so k_proj and v_proj are as wide as q_proj.
    m.linears = {
        {"self_attn.q_proj", d, d, false, layers}, {"self_attn.k_proj", d, d, false, layers},
        {"self_attn.v_proj", d, d, false, layers}, {"self_attn.o_proj", d, d, false, layers},
        {"mlp.gate_proj", d, ffn, false, layers},  {"mlp.up_proj", d, ffn, false, layers},
        {"mlp.down_proj", ffn, d, false, layers}};
    // embed_tokens + lm_head + two RMSNorm weights per layer + the final norm.
    m.otherParams = 2 * vocab * d + layers * 2 * d + d;
    m.defaultRank = 8;
    m.defaultAlpha = 16.0f;
    m.defaultTargets = {"q_proj", "v_proj"};
    return m;
}

// The seeds' single-weight examples: one bias-free layer called "W", rank 8.
ModelShape singleWeight(const std::string& name, const std::string& description, std::int64_t in,
                        std::int64_t out) {
    ModelShape m;
    m.name = name;
    m.description = description;
    m.linears = {{"W", in, out, false, 1}};
    return m;
}

ModelShape square4096() {
    return singleWeight("square4096",
                        "one 4096×4096 weight without bias "
                        "(seeds 003/004: rank 8 trains 65,536 parameters, 256× fewer)",
                        4096, 4096);
}

ModelShape split512x256() {
    return singleWeight("split512x256",
                        "one weight [512, 256] (out 512, in 256) without bias "
                        "(seed 000: rank 8 gives 6,144 parameters instead of 131,072)",
                        256, 512);
}

} // namespace

std::vector<std::string> presetNames() {
    return {"seed000", "richboynet", "gpt2-small", "llama2-7b", "square4096", "split512x256"};
}

ModelShape presetShape(const std::string& name) {
    if (name == "seed000") return seed000();
    if (name == "richboynet") return richBoyNet();
    if (name == "gpt2-small") return gpt2Small();
    if (name == "llama2-7b") return llama2_7b();
    if (name == "square4096") return square4096();
    if (name == "split512x256") return split512x256();
    std::string list;
    for (const std::string& n : presetNames()) list += (list.empty() ? "" : ", ") + n;
    throw InputError("unknown model preset '" + name + "' (presets: " + list + ")");
}

} // namespace lora
