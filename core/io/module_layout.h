#pragma once
// Where a real LoRA module sits in its model, from its name alone: a row (the block it is
// in: "layers.3", "down_blocks.0.attentions.1", "te1 layers.3") and a column (what it is in
// that block: q/k/v/o/gate/up/down, "attn1.to_q", "ff.net.0.proj", "proj_in", …) — the grid of
// the Adapter inspector's per-block heatmap, for PEFT, kohya (underscores everywhere) and
// diffusers names alike.
#include <string>
#include <vector>

namespace lora {

struct ModuleCell {
    std::string row; // "other" for a module outside any numbered block (embed_tokens)
    std::string column;
};

ModuleCell moduleCell(const std::string& name);

struct ModuleGrid {
    std::vector<std::string> rows;    // in model order: text encoders, then down → mid → up,
                                      // numbers compared as numbers
    std::vector<std::string> columns; // q, k, v, o, gate, up, down, attn1.*, attn2.*, ff…, rest
    std::vector<int> rowOf, columnOf; // per name given, its row and column index
};

ModuleGrid moduleGrid(const std::vector<std::string>& names);

} // namespace lora
