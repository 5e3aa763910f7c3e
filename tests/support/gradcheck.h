#pragma once
// Finite-difference gradient checking for the core's layers. The scalar checked is
// L = Σ y ⊙ G for a fixed random G, so dL/dy = G, which is what backward receives.
#include "nn/tensor.h"
#include "random_matrix.h"

#include <cmath>
#include <functional>

namespace lora::test {

inline double dotLoss(const Matrix& y, const Matrix& g) {
    return (y.cast<double>().array() * g.cast<double>().array()).sum();
}

// Largest |analytic − numeric| / max(1, |numeric|) over every entry of `param`, by
// central differences of `loss` with step h (in float, so h must not be tiny).
inline double maxGradError(float* param, const float* analytic, std::size_t n,
                           const std::function<double()>& loss, float h = 1e-2f) {
    double worst = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const float saved = param[i];
        param[i] = saved + h;
        const double up = loss();
        param[i] = saved - h;
        const double down = loss();
        param[i] = saved;
        const double numeric = (up - down) / (2.0 * h);
        const double err = std::abs(numeric - analytic[i]) / std::max(1.0, std::abs(numeric));
        worst = std::max(worst, err);
    }
    return worst;
}

} // namespace lora::test
