#pragma once
// The live sliders' view of the active adapter: its α and an SVD truncation rank r′ ≤ r,
// applied to a fresh snapshot of base + adapter and never to the adapter itself. Export,
// Merge's report, sessions and the adapter list keep the trained adapter; the view is reset
// to it whenever another adapter becomes active. A merged adapter is shown merged: the view's
// s′·B′A′ is added to the true base W, so every re-merge is exact (nothing accumulates).
#include "session/run_types.h"
#include "train/adapter_library.h"
#include "train/adapter_view.h"

#include <memory>
#include <string>

class AdapterLiveView {
public:
    // `active` becomes the adapter the view follows (null: none); the view is the trained one.
    void reset(const lora::AdapterEntry* active);
    bool hasAdapter() const { return !m_name.empty(); }
    const std::string& name() const { return m_name; }
    void rename(const std::string& to) { m_name = to; }

    float trainedAlpha() const { return m_trained.spec.alpha; }
    int trainedRank() const { return m_maxRank; } // the top of the r′ range
    float alpha() const { return m_view.alpha.value_or(trainedAlpha()); }
    int rank() const { return m_view.rank.value_or(trainedRank()); }
    bool isTrained() const { return alpha() == trainedAlpha() && rank() == trainedRank(); }
    const lora::AdapterView& view() const { return m_view; }

    // The snapshot for α and r′ (InputError, view unchanged, for bad values). The SVDs behind
    // truncation are taken at the first r′ < r and kept until the next reset().
    ModelPtr apply(const lora::AdapterLibrary& library, float alpha, int rank);
    // base + the adapter as the view shows it, merged when the library is.
    ModelPtr snapshot(const lora::AdapterLibrary& library) const;

private:
    std::string m_name;
    lora::AdapterWeights m_trained;
    int m_maxRank = 0;
    lora::AdapterView m_view;
    std::shared_ptr<const lora::AdapterTruncation> m_truncation;
};
