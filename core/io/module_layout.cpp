#include "io/module_layout.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <string_view>

namespace lora {

namespace {

using Tokens = std::vector<std::string>;

bool isNumber(const std::string& t) {
    return !t.empty() &&
           std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

// PEFT and diffusers separate path parts with '.', kohya replaces every '.' with '_': split
// on both, and rejoin the identifiers below that themselves hold a '_'.
Tokens split(std::string_view name) {
    Tokens out(1);
    for (char c : name) {
        if (c == '.' || c == '_') {
            if (!out.back().empty()) out.emplace_back();
        } else {
            out.back() += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    if (out.back().empty()) out.pop_back();
    return out;
}

// Identifiers with '_' in the module paths of transformers, diffusers and SD's ldm UNet.
const std::set<std::string> kCompounds = {"self_attn",
                                          "q_proj",
                                          "k_proj",
                                          "v_proj",
                                          "o_proj",
                                          "out_proj",
                                          "gate_proj",
                                          "up_proj",
                                          "down_proj",
                                          "to_q",
                                          "to_k",
                                          "to_v",
                                          "to_out",
                                          "add_q_proj",
                                          "add_k_proj",
                                          "add_v_proj",
                                          "to_add_out",
                                          "c_attn",
                                          "c_proj",
                                          "c_fc",
                                          "proj_in",
                                          "proj_out",
                                          "proj_mlp",
                                          "in_layers",
                                          "out_layers",
                                          "emb_layers",
                                          "skip_connection",
                                          "conv_shortcut",
                                          "time_emb_proj",
                                          "down_blocks",
                                          "up_blocks",
                                          "mid_block",
                                          "input_blocks",
                                          "output_blocks",
                                          "middle_block",
                                          "transformer_blocks",
                                          "single_transformer_blocks",
                                          "embed_tokens",
                                          "lm_head",
                                          "conv_in",
                                          "conv_out",
                                          "norm_out",
                                          "text_model",
                                          "fc_in",
                                          "fc_out",
                                          "dense_h_to_4h",
                                          "dense_4h_to_h",
                                          "query_key_value",
                                          "double_blocks",
                                          "single_blocks",
                                          "img_attn",
                                          "txt_attn",
                                          "img_mlp",
                                          "txt_mlp"};

// Numbers after these are block indices (rows); after anything else ("to_out.0",
// "ff.net.0.proj", "in_layers.2") they name a part of the block (columns).
const std::set<std::string> kBlockWords = {"layers",
                                           "layer",
                                           "h",
                                           "blocks",
                                           "block",
                                           "attentions",
                                           "resnets",
                                           "down_blocks",
                                           "up_blocks",
                                           "input_blocks",
                                           "output_blocks",
                                           "transformer_blocks",
                                           "single_transformer_blocks",
                                           "double_blocks",
                                           "single_blocks",
                                           "upsamplers",
                                           "downsamplers",
                                           "encoder",
                                           "decoder"};

Tokens joinCompounds(const Tokens& t) {
    Tokens out;
    for (std::size_t i = 0; i < t.size();) {
        bool joined = false;
        for (std::size_t n : {4u, 3u, 2u}) {
            if (i + n > t.size()) continue;
            std::string word = t[i];
            for (std::size_t k = 1; k < n; ++k) word += "_" + t[i + k];
            if (kCompounds.count(word) != 0) {
                out.push_back(word);
                i += n;
                joined = true;
                break;
            }
        }
        if (!joined) out.push_back(t[i++]);
    }
    return out;
}

// The model part a name starts with, as a row prefix ("te1 "), and the tokens after it.
std::pair<std::string, Tokens> stripPrefix(Tokens t) {
    std::string prefix;
    auto drop = [&](std::initializer_list<const char*> words) {
        if (t.size() < words.size()) return false;
        std::size_t i = 0;
        for (const char* w : words)
            if (t[i++] != w) return false;
        t.erase(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(words.size()));
        return true;
    };
    if (!drop({"lora", "unet"}) && !drop({"lora", "transformer"})) drop({"unet"});
    if (drop({"lora", "te1"}))
        prefix = "te1 ";
    else if (drop({"lora", "te2"}) || drop({"text", "encoder", "2"}))
        prefix = "te2 ";
    else if (drop({"lora", "te"}) || drop({"text", "encoder"}))
        prefix = "te ";
    drop({"base", "model"});
    // Wrappers before the first numbered block carry no position: "model.", "transformer.",
    // "text_model.encoder.", "vit.encoder.".
    static const std::set<std::string> wrappers = {"model",    "transformer", "text",    "vit",
                                                   "encoder",  "decoder",     "roberta", "bert",
                                                   "language", "gpt",         "neox"};
    while (t.size() > 1 && wrappers.count(t[0]) != 0 && !isNumber(t[1])) t.erase(t.begin());
    return {prefix, t};
}

std::string dotted(const Tokens& t, std::size_t from, std::size_t to) {
    std::string out;
    for (std::size_t i = from; i < to; ++i) out += (out.empty() ? "" : ".") + t[i];
    return out;
}

// Llama/Mistral-style projections by their short kind; the rest as the name spells them.
std::string canonicalColumn(const std::string& column) {
    static const std::map<std::string, std::string> kinds = {{"self_attn.q_proj", "q"},
                                                             {"self_attn.k_proj", "k"},
                                                             {"self_attn.v_proj", "v"},
                                                             {"self_attn.o_proj", "o"},
                                                             {"mlp.gate_proj", "gate"},
                                                             {"mlp.up_proj", "up"},
                                                             {"mlp.down_proj", "down"},
                                                             {"q_proj", "q"},
                                                             {"k_proj", "k"},
                                                             {"v_proj", "v"},
                                                             {"o_proj", "o"},
                                                             {"gate_proj", "gate"},
                                                             {"up_proj", "up"},
                                                             {"down_proj", "down"},
                                                             {"self_attn.out_proj", "o"},
                                                             {"attention.attention.query", "q"},
                                                             {"attention.attention.key", "k"},
                                                             {"attention.attention.value", "v"},
                                                             {"attention.output.dense", "o"},
                                                             {"attn1.to_out.0", "attn1.to_out"},
                                                             {"attn2.to_out.0", "attn2.to_out"},
                                                             {"attn.to_out.0", "attn.to_out"}};
    std::string c = column;
    // The legacy diffusers form names its attention processor: "attn1.processor.to_q".
    for (auto at = c.find(".processor"); at != std::string::npos; at = c.find(".processor"))
        c.erase(at, 10);
    const auto it = kinds.find(c);
    return it == kinds.end() ? c : it->second;
}

int columnOrder(const std::string& c) {
    static const std::array<std::string_view, 27> order = {"q",
                                                           "k",
                                                           "v",
                                                           "o",
                                                           "gate",
                                                           "up",
                                                           "down",
                                                           "attn.c_attn",
                                                           "attn.c_proj",
                                                           "mlp.c_fc",
                                                           "mlp.c_proj",
                                                           "mlp.fc1",
                                                           "mlp.fc2",
                                                           "proj_in",
                                                           "attn1.to_q",
                                                           "attn1.to_k",
                                                           "attn1.to_v",
                                                           "attn1.to_out",
                                                           "attn2.to_q",
                                                           "attn2.to_k",
                                                           "attn2.to_v",
                                                           "attn2.to_out",
                                                           "ff.net.0.proj",
                                                           "ff.net.2",
                                                           "proj_out",
                                                           "conv1",
                                                           "conv2"};
    const auto it = std::find(order.begin(), order.end(), c);
    return it == order.end() ? static_cast<int>(order.size()) : int(it - order.begin());
}

// Text encoders first, then the UNet's way down, middle and way up, then the rest.
std::pair<int, int> rowGroup(const std::string& row) {
    int model = 1;
    if (row.rfind("te ", 0) == 0) model = 0;
    if (row.rfind("te1 ", 0) == 0) model = 0;
    if (row.rfind("te2 ", 0) == 0) model = 0;
    int stage = 1;
    if (row.find("down_blocks") != std::string::npos ||
        row.find("input_blocks") != std::string::npos)
        stage = 0;
    if (row.find("up_blocks") != std::string::npos ||
        row.find("output_blocks") != std::string::npos)
        stage = 2;
    if (row == "other") model = 2;
    return {model, stage};
}

// Compares token by token, numbers as numbers ("layers.10" after "layers.9").
bool naturalLess(const std::string& a, const std::string& b) {
    const Tokens ta = split(a), tb = split(b);
    for (std::size_t i = 0; i < std::min(ta.size(), tb.size()); ++i) {
        if (ta[i] == tb[i]) continue;
        if (isNumber(ta[i]) && isNumber(tb[i]))
            return ta[i].size() != tb[i].size() ? ta[i].size() < tb[i].size() : ta[i] < tb[i];
        return ta[i] < tb[i];
    }
    return ta.size() < tb.size();
}

} // namespace

ModuleCell moduleCell(const std::string& name) {
    auto [prefix, raw] = stripPrefix(split(name));
    const Tokens t = joinCompounds(raw);
    // The last number that follows a block word, or a number that follows such an index
    // (ldm's "input_blocks.4.1").
    std::size_t end = 0;
    for (std::size_t i = 1; i < t.size(); ++i)
        if (isNumber(t[i]) && (kBlockWords.count(t[i - 1]) != 0 || (i == end && i >= 2)))
            end = i + 1;
    if (end == 0) return {"other", canonicalColumn(dotted(t, 0, t.size()))};
    std::size_t rowEnd = end;
    // SD 1.5 has one transformer block per attention: its ".transformer_blocks.0" says nothing.
    if (rowEnd >= 2 && t[rowEnd - 2] == "transformer_blocks" && t[rowEnd - 1] == "0" && rowEnd > 2)
        rowEnd -= 2;
    std::string column = canonicalColumn(dotted(t, end, t.size()));
    if (column.empty()) column = "(block)";
    return {prefix + dotted(t, 0, rowEnd), column};
}

ModuleGrid moduleGrid(const std::vector<std::string>& names) {
    ModuleGrid grid;
    std::vector<ModuleCell> cells;
    std::set<std::string> rows, columns;
    for (const std::string& n : names) {
        cells.push_back(moduleCell(n));
        rows.insert(cells.back().row);
        columns.insert(cells.back().column);
    }
    grid.rows.assign(rows.begin(), rows.end());
    std::stable_sort(grid.rows.begin(), grid.rows.end(), [](const auto& a, const auto& b) {
        const auto ga = rowGroup(a), gb = rowGroup(b);
        return ga != gb ? ga < gb : naturalLess(a, b);
    });
    grid.columns.assign(columns.begin(), columns.end());
    std::stable_sort(grid.columns.begin(), grid.columns.end(), [](const auto& a, const auto& b) {
        const int oa = columnOrder(a), ob = columnOrder(b);
        return oa != ob ? oa < ob : naturalLess(a, b);
    });
    for (const ModuleCell& c : cells) {
        grid.rowOf.push_back(static_cast<int>(std::find(grid.rows.begin(), grid.rows.end(), c.row) -
                                              grid.rows.begin()));
        grid.columnOf.push_back(static_cast<int>(
            std::find(grid.columns.begin(), grid.columns.end(), c.column) - grid.columns.begin()));
    }
    return grid;
}

} // namespace lora
