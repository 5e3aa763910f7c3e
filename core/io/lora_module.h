#pragma once
// One module of a real LoRA file as the inspector sees it: its kind, the weight it changes,
// rank, alpha and scale as its format defines them, and the thin factors of its ΔW.
#include "nn/tensor.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lora {

enum class LoraFormat { Peft, Kohya, Diffusers, Lycoris };
enum class ModuleKind { Lora, Loha, Lokr, Dora, Full };
const char* toString(LoraFormat format);
const char* toString(ModuleKind kind);

struct LoraModule {
    std::string name; // the module path as the file spells it, without the adapter suffixes
    ModuleKind kind = ModuleKind::Lora;
    // Of the weight ΔW adds to, as the model stores it: [out, in], [out, in, kh, kw], an
    // embedding's [vocab, dim], GPT-2 Conv1D's [in, out] (fan_in_fan_out).
    std::vector<std::int64_t> shape;
    int rank = 0;            // LoRA/DoRA: r; LoHa: its dim; LoKr: the decomposed factor's dim or 0
    double alpha = 0;        // as stored or configured (kohya without alpha: r)
    double scale = 0;        // what multiplies the factors' product, as the format defines it
    std::int64_t params = 0; // values the module's tensors hold
    // ΔW (up to a transpose, which keeps its singular values) = scale · up · down, with
    // up [out, k] and down [k, in·kh·kw]: B and A for LoRA and DoRA; for LoHa the
    // face-splitting factors of (w1a·w1b) ⊙ (w2a·w2b), k = dim². Empty for LoKr and Full.
    Matrix up, down;
    // LoKr: ΔW = scale · kron(kronLeft, kronRight), each factor formed from its halves.
    Matrix kronLeft, kronRight;
    // Set when the file alone does not give the weight's final change (DoRA, whole weights).
    std::string note;
    // LoRA and DoRA: the tensors the factors came from, for writing the module back.
    std::string downKey, upKey, alphaKey; // alphaKey empty when the file has no alpha tensor
    std::vector<std::int64_t> downShape, upShape;
};

} // namespace lora
