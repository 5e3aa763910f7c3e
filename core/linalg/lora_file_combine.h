#pragma once
// Real LoRA files combined module by module into one, as PEFT's add_weighted_adapter combines
// adapters (nn/adapter_combine.h does the same for our own), from the thin factors alone. Every
// input must hold the same LoRA modules with the same shapes. With sᵢ each input's scale and
// Bᵢ [out, rᵢ], Aᵢ [rᵢ, in·kh·kw] its factors, the result has scale 1 (α = its rank):
//   cat     B = [w₁s₁B₁ | w₂s₂B₂ | …], A = [A₁; A₂; …], rank Σrᵢ: ΔW = Σ wᵢ·ΔWᵢ exactly.
//   svd     the best rank-R part of Σ wᵢ·ΔWᵢ (R: the largest input rank unless given), from
//           FactorSvd of the stacked factors above — the [out, in] sum is never formed.
//   linear  PEFT's own formula: B = Σ √(wᵢsᵢ)·Bᵢ, A = Σ √(wᵢsᵢ)·Aᵢ, equal ranks required.
//           This is NOT Σ wᵢ·ΔWᵢ: the product holds the cross terms √(wᵢsᵢwⱼsⱼ)·Bᵢ·Aⱼ (i ≠ j),
//           as PEFT issues #643, #1155 and #3004 found; each module reports the relative gap
//           ‖ΔW_linear − Σ wᵢΔWᵢ‖_F / ‖Σ wᵢΔWᵢ‖_F, computed from Gram matrices of the factors.
#include "io/lora_convert.h"
#include "nn/adapter_combine.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lora {

struct FileCombineOptions {
    CombineMethod method = CombineMethod::Cat;
    std::vector<double> weights;      // one per input; empty: 1 each
    int rank = 0;                     // svd: the new rank; 0: the largest input rank
    std::optional<LoraFormat> to;     // none: the first input's format (LyCORIS: kohya)
    std::optional<TensorDType> dtype; // none: the first input's
};

struct CombinedModule {
    std::string name; // as the first input names it
    std::vector<int> ranksIn;
    int rankOut = 0;
    double froRetained = 1; // svd: ‖ΔW′‖_F / ‖Σ wᵢΔWᵢ‖_F
    double linearGap = 0;   // linear: ‖ΔW_linear − Σ wᵢΔWᵢ‖_F / ‖Σ wᵢΔWᵢ‖_F
};

struct FileCombine {
    LoraFormat format = LoraFormat::Peft; // written
    std::vector<CombinedModule> modules;
    std::uint64_t bytesIn = 0, bytesOut = 0;
};

// InputError "<path>: …" for fewer than two inputs, a weight count or value that does not fit,
// an input whose modules or shapes differ from the first's (naming the file and module), a
// module that is not LoRA, linear over unequal ranks; nothing is written then.
FileCombine combineLoraFiles(const std::vector<std::string>& paths, const std::string& out,
                             const FileCombineOptions& options);

} // namespace lora
