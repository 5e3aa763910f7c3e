#pragma once
// A hand-drawn digit made to look like an MNIST sample, the way NIST digits were turned into
// MNIST (LeCun et al.): the ink's bounding box is scaled, keeping its aspect ratio and with
// area averaging (so strokes turn into grey edges), to fit a 20×20 box; that is placed in a
// 28×28 field so that the ink's centre of mass sits at the centre; then the pixels get the
// tutorials' normalisation.
#include "nn/tensor.h"

namespace lora {

inline constexpr int kMnistSide = 28;
inline constexpr int kMnistBox = 20;

// ink: [h, w], 0 = paper, 1 = full ink (any size) -> [28, 28] in [0, 1]. A blank canvas
// gives a blank field.
Matrix mnistFieldFromCanvas(const Eigen::Ref<const Matrix>& ink);

// field: [28, 28] in [0, 1] -> [1, 784] normalised row, (p − mean)/std as the datasets hold.
Matrix normalisedRow(const Eigen::Ref<const Matrix>& field);

} // namespace lora
