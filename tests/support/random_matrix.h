#pragma once
// Seeded test matrices with entries uniform in [-1, 1).
#include "nn/tensor.h"
#include "util/rng.h"

namespace lora::test {

inline Matrix uniformMatrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed) {
    Rng rng(seed);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1, 1);
    return m;
}

} // namespace lora::test
