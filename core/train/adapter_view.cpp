#include "train/adapter_view.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace lora {

namespace {

// The α that gives `scale` at rank r under the spec's rule (α/r or α/√r).
float alphaFor(float scale, int r, bool rslora) {
    return scale * (rslora ? std::sqrt(static_cast<float>(r)) : static_cast<float>(r));
}

void checkView(const AdapterWeights& trained, const AdapterView& view) {
    if (view.alpha && (!(*view.alpha > 0.0f) || !std::isfinite(*view.alpha)))
        throw InputError("alpha must be a positive number");
    if (!view.rank) return;
    const int top = maxViewRank(trained);
    if (*view.rank < 1) throw InputError("the truncation rank must be at least 1");
    if (*view.rank > top)
        throw InputError("the truncation rank " + std::to_string(*view.rank) +
                         " is above the adapter's rank " + std::to_string(top));
}

// The trained adapter at the view's α: every layer's α times the same factor, so per-layer
// patterns keep their ratios; layers at the config's α get the view's α exactly.
AdapterWeights rescaled(const AdapterWeights& trained, const AdapterView& view, float& factor) {
    AdapterWeights out = trained;
    factor = 1.0f;
    if (!view.alpha) return out;
    factor = *view.alpha / trained.spec.alpha;
    for (LayerAdapter& l : out.layers)
        l.spec.alpha = l.spec.alpha == trained.spec.alpha ? *view.alpha : l.spec.alpha * factor;
    out.spec.alpha = *view.alpha;
    return out;
}

bool truncates(const AdapterWeights& trained, const AdapterView& view) {
    return view.rank &&
           std::any_of(trained.layers.begin(), trained.layers.end(),
                       [&](const LayerAdapter& l) { return *view.rank < l.spec.rank; });
}

} // namespace

int maxViewRank(const AdapterWeights& trained) {
    int top = 0;
    for (const auto& l : trained.layers) top = std::max(top, l.spec.rank);
    return top;
}

AdapterTruncation::AdapterTruncation(const AdapterWeights& trained) : m_trained(trained) {
    m_layers.reserve(trained.layers.size());
    for (const auto& l : trained.layers) m_layers.emplace_back(l.B, l.A, l.spec.scale());
}

AdapterWeights AdapterTruncation::view(const AdapterView& view) const {
    checkView(m_trained, view);
    float factor = 1.0f;
    AdapterWeights out = rescaled(m_trained, view, factor);
    if (!truncates(m_trained, view)) return out;
    const int r = *view.rank;
    for (std::size_t i = 0; i < out.layers.size(); ++i) {
        LayerAdapter& l = out.layers[i];
        if (r >= l.spec.rank) continue; // trained factors untouched
        // B′A′ is the best rank-r′ part of s·BA itself, so the spec's scale is the α factor.
        LowRankFactors f = m_layers[i].factors(r);
        l.spec.rank = r;
        l.spec.alpha = alphaFor(factor, r, l.spec.rslora);
        l.B = std::move(f.B);
        l.A = std::move(f.A);
    }
    if (r < out.spec.rank) {
        out.spec.rank = r;
        out.spec.alpha = alphaFor(factor, r, out.spec.rslora);
    }
    return out;
}

double AdapterTruncation::droppedShare(int rank) const {
    double dropped = 0, total = 0;
    for (const FactorSvd& f : m_layers) {
        dropped += std::pow(f.tailNorm(std::clamp(rank, 0, f.rank())), 2);
        total += f.singularValues().squaredNorm();
    }
    return total > 0 ? std::sqrt(dropped / total) : 0.0;
}

AdapterWeights viewOf(const AdapterWeights& trained, const AdapterView& view) {
    if (truncates(trained, view)) return AdapterTruncation(trained).view(view);
    checkView(trained, view);
    float factor = 1.0f;
    return rescaled(trained, view, factor);
}

} // namespace lora
