#include "train/scaling_sweep.h"

#include "util/error.h"

namespace lora {

std::vector<LoraVariant> ScalingSweep::variants() const {
    std::vector<LoraVariant> out;
    for (int rank : ranks)
        for (bool rslora : {false, true}) {
            LoraVariant v;
            v.spec = {rank, alpha, rslora, init};
            v.spec.validate();
            out.push_back(v);
        }
    return out;
}

ScalePoint scalePoint(const VariantRun& standard, const VariantRun& rslora) {
    return {standard.variant.spec.rank,
            standard.deltaNorm,
            rslora.deltaNorm,
            standard.variant.spec.scale(),
            rslora.variant.spec.scale(),
            standard.accuracy,
            rslora.accuracy,
            standard.run.lastTrainLoss,
            rslora.run.lastTrainLoss};
}

std::vector<ScalePoint> runScalingSweep(const Mlp& base, const Dataset& train, const Dataset& test,
                                        const ScalingSweep& sweep, const TrainOptions& options,
                                        std::uint64_t seed, const ScalePointProgress& pointProgress,
                                        const VariantProgress& runProgress, std::stop_token stop) {
    const std::vector<LoraVariant> variants = sweep.variants();
    if (variants.empty()) throw InputError("the rank sweep has no ranks");
    checkVariants(base, variants, sweep.targets);

    std::vector<ScalePoint> points;
    // Rank by rank, so each point can be shown while the next trains; every run still draws
    // its initialisation from Rng(seed), so the chunks train exactly what one call would.
    for (std::size_t i = 0; i + 1 < variants.size() && !stop.stop_requested(); i += 2) {
        const auto runs = compareVariants(base, train, test, {variants[i], variants[i + 1]},
                                          sweep.targets, options, seed, runProgress, stop);
        if (runs.size() < 2 || runs.back().run.stopped) break; // half a rank would mislead
        points.push_back(scalePoint(runs[0], runs[1]));
        if (pointProgress) pointProgress(points.back());
    }
    return points;
}

} // namespace lora
