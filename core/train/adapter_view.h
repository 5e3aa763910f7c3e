#pragma once
// A trained adapter seen at another strength or a smaller rank, without retraining: α scales
// every layer's update (per-layer α patterns keep their ratios) and a rank r′ keeps each
// layer's best rank-min(r′, r) part of s·BA (its truncated SVD, from the thin factors). The
// one function behind `lora-cli eval --alpha --rank` and the GUI's live sliders, so that both
// score the same weights.
#include "linalg/adapter_truncation.h"
#include "nn/adapter_weights.h"

#include <optional>
#include <vector>

namespace lora {

struct AdapterView {
    std::optional<float> alpha; // the config's lora_alpha to show; none = as trained
    std::optional<int> rank;    // r′ in 1…maxViewRank(); none = as trained
};

// The largest rank among the adapter's layers: the top of the r′ range.
int maxViewRank(const AdapterWeights& trained);

// The truncated SVDs of every layer of one trained adapter, built once; views are then cheap
// (two thin copies per layer).
class AdapterTruncation {
public:
    explicit AdapterTruncation(const AdapterWeights& trained);

    // The weights to attach for `view`; InputError (one line) for α not a positive finite
    // number or r′ outside 1…maxViewRank(). Where r′ is absent or ≥ a layer's rank that layer
    // keeps its trained A and B bit for bit (only α changes), so merging it is exact.
    AdapterWeights view(const AdapterView& view) const;
    // ‖ΔW − ΔW_r′‖_F / ‖ΔW‖_F over all layers together: the share of the update's norm that
    // truncating to r′ drops (0 at full rank), whatever α.
    double droppedShare(int rank) const;

    const AdapterWeights& trained() const { return m_trained; }

private:
    AdapterWeights m_trained;
    std::vector<FactorSvd> m_layers; // per m_trained.layers, of s·BA at the trained α
};

// AdapterTruncation(trained).view(view), skipping the SVDs when r′ asks for no truncation.
AdapterWeights viewOf(const AdapterWeights& trained, const AdapterView& view);

} // namespace lora
