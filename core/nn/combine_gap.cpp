#include "nn/combine_gap.h"

#include <limits>

namespace lora {

std::vector<CombineGap> combineGaps(const Mlp& model, const std::vector<AdapterWeights>& inputs,
                                    std::vector<float> weights, const AdapterWeights& combined) {
    if (weights.empty()) weights.assign(inputs.size(), 1.0f);
    std::vector<CombineGap> gaps;
    for (const LayerAdapter& l : combined.layers) {
        // target, delta: [out, in]
        const Matrix target = weightedDelta(model, inputs, weights, l.layer);
        const Matrix gap = l.delta() - target;
        CombineGap g;
        g.layer = l.layer;
        g.rank = l.spec.rank;
        g.maxAbsGap = gap.size() ? gap.cwiseAbs().maxCoeff() : 0.0;
        g.targetMaxAbs = target.size() ? target.cwiseAbs().maxCoeff() : 0.0;
        const double targetNorm = target.norm(), gapNorm = gap.norm();
        g.relativeGap = targetNorm > 0   ? gapNorm / targetNorm
                        : gapNorm == 0.0 ? 0.0
                                         : std::numeric_limits<double>::infinity();
        gaps.push_back(g);
    }
    return gaps;
}

} // namespace lora
