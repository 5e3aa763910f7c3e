#include "session/adapter_live_view.h"

void AdapterLiveView::reset(const lora::AdapterEntry* active) {
    m_view = {};
    m_truncation.reset();
    m_name = active ? active->name : std::string();
    m_trained = active ? active->weights : lora::AdapterWeights{};
    m_maxRank = active ? lora::maxViewRank(m_trained) : 0;
}

ModelPtr AdapterLiveView::apply(const lora::AdapterLibrary& library, float alpha, int rank) {
    lora::AdapterView next;
    // The trained values are kept as "none", so that a layer with its own α or rank is shown
    // exactly as trained when the sliders stand at the adapter's values.
    if (alpha != trainedAlpha()) next.alpha = alpha;
    if (rank != trainedRank()) next.rank = rank;
    if (next.rank && !m_truncation)
        m_truncation = std::make_shared<const lora::AdapterTruncation>(m_trained);
    const lora::AdapterView previous = m_view;
    m_view = next;
    try {
        return snapshot(library);
    } catch (...) {
        m_view = previous;
        throw;
    }
}

ModelPtr AdapterLiveView::snapshot(const lora::AdapterLibrary& library) const {
    if (!hasAdapter()) return nullptr;
    const lora::AdapterWeights weights =
        m_truncation ? m_truncation->view(m_view) : lora::viewOf(m_trained, m_view);
    auto model = std::make_shared<lora::Mlp>(library.base());
    lora::attachAdapter(*model, weights);
    if (library.merged()) model->mergeLora(); // onto the true W: exact, however often
    return model;
}
