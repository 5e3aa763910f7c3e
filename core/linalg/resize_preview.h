#pragma once
// What a resize would give, from an inspection report alone (no factors, no file written):
// per module the rank a rule keeps and the share of ‖ΔW‖_F it retains, and the resulting
// file size. The Adapter inspector's rank slider recomputes it on every tick.
#include "linalg/lora_inspection.h"
#include "linalg/lora_resize.h"

#include <cstdint>
#include <vector>

namespace lora {

struct ModulePreview {
    int rank = 0, newRank = 0;
    double froRetained = 1; // sqrt(Σ_{k<r′} σ² / Σ σ²)
    bool resized = false;   // only LoRA modules with a spectrum are cut, as resizeLoraFile does
};

struct ResizePreview {
    std::vector<ModulePreview> modules; // in the report's order
    std::uint64_t bytesBefore = 0, bytesAfter = 0;
};

ResizePreview previewResize(const LoraReport& report, const ResizeRule& rule);

} // namespace lora
