#pragma once
// Seeded random test matrices: Gaussian from a caller's Rng, or uniform in [-1, 1) from a
// seed (for bounds that need |x| ≤ 1).
#include "nn/tensor.h"
#include "util/rng.h"

namespace lora::test {

inline Matrix randomMatrix(int rows, int cols, Rng& rng, float scale = 1.0f) {
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = scale * rng.normal();
    return m;
}

inline Matrix uniformMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
    Rng rng(seed);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1, 1);
    return m;
}

} // namespace lora::test
