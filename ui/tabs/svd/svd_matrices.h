#pragma once
// The matrices the Rank & SVD panel can show, by the name its combo box lists: a layer's W
// ("fc1 W"), the current ΔW = s·BA of a layer ("fc1 ΔW") or one of the seeds' examples.
#include "nn/mlp.h"

#include <QString>
#include <QStringList>

namespace svd_matrices {

inline const QString kSeedRank1 = QStringLiteral("seed: rank1");
inline const QString kSeedRank2 = QStringLiteral("seed: rank2");
inline const QString kSeedZeros = QStringLiteral("seed: zeros");
inline const QString kSeedLowRank = QStringLiteral("seed: 10×10 of rank 2");
inline const QString kSeedGaussian = QStringLiteral("seed: 8×8 Gaussian");
inline const QString kDeltaSuffix = QStringLiteral(" ΔW");
inline const QString kWeightSuffix = QStringLiteral(" W");

QStringList seedNames();
int layerOf(const QString& name); // "fc3 W" -> 2
// Reads only const snapshots, so it runs on a worker thread as well as on the GUI thread.
lora::Matrix matrixFor(const QString& name, const lora::Mlp* base, const lora::Mlp* adapted);

} // namespace svd_matrices
