#include "tabs/svd/svd_matrices.h"

#include "linalg/gd_approximation.h" // gaussianMatrix
#include "linalg/rank.h"
#include "util/rng.h"

namespace svd_matrices {
namespace {

// Seed 001's demonstration: a 10×2 by 2×10 Gaussian product has rank 2 by construction.
lora::Matrix lowRankSeed() {
    lora::Rng rng(0);
    const lora::Matrix b = lora::gaussianMatrix(10, 2, rng);
    const lora::Matrix a = lora::gaussianMatrix(2, 10, rng);
    return b * a;
}

lora::Matrix gaussianSeed() {
    lora::Rng rng(0);
    return lora::gaussianMatrix(8, 8, rng);
}

} // namespace

QStringList seedNames() {
    return {kSeedRank1, kSeedRank2, kSeedZeros, kSeedLowRank, kSeedGaussian};
}

int layerOf(const QString& name) {
    return name.section(' ', 0, 0).mid(2).toInt() - 1;
}

lora::Matrix matrixFor(const QString& name, const lora::Mlp* base, const lora::Mlp* adapted) {
    if (name == kSeedRank1) return lora::rankExample("rank1");
    if (name == kSeedRank2) return lora::rankExample("rank2");
    if (name == kSeedZeros) return lora::rankExample("zeros");
    if (name == kSeedLowRank) return lowRankSeed();
    if (name == kSeedGaussian) return gaussianSeed();
    const int layer = layerOf(name);
    if (name.endsWith(kDeltaSuffix)) return adapted->adapter(layer)->delta();
    return (base ? base : adapted)->layer(layer).W;
}

} // namespace svd_matrices
