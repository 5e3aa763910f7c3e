#pragma once
// The ΔW of one adapter module in the layout its base weight is stored in, row block by row
// block, so that merging it into a weight as large as an embedding never holds the whole
// [rows, cols] change: PEFT's merge (scale·B·A, transposed for embeddings and for GPT-2's
// Conv1D with fan_in_fan_out, a conv's [out, in, kh, kw] as [out, in·kh·kw]), LoHa from its
// face-splitting factors, LoKr's Kronecker product and LyCORIS' stored whole diff.
#include "io/lora_module.h"

#include <cstdint>

namespace lora {

class WeightDelta {
public:
    // `transposed`: the base stores (up·down)ᵀ (see storesTransposed). `weight` multiplies the
    // module's own scale (PEFT's merge weight). InputError for a module whose ΔW the file alone
    // does not give (DoRA, modules_to_save).
    WeightDelta(const LoraModule& module, bool transposed, double weight);

    std::int64_t rows() const { return m_rows; } // the weight as [shape[0], the rest]
    std::int64_t cols() const { return m_cols; }
    // out: [n, cols] <- rows [first, first + n) of ΔW as the base stores it.
    void rowBlock(std::int64_t first, std::int64_t n, Matrix& out) const;

private:
    ModuleKind m_kind;
    float m_scale = 1;
    std::int64_t m_rows = 0, m_cols = 0;
    Matrix m_left, m_right; // thin: ΔW = scale·left·right; LoKr: its two Kronecker factors
};

// Whether PEFT stores this LoRA module's weight as (B·A)ᵀ: embeddings (lora_embedding_A/B)
// always, linear layers when the config says fan_in_fan_out (GPT-2's Conv1D is [in, out]).
bool storesTransposed(const LoraModule& module, bool fanInFanOut);

} // namespace lora
