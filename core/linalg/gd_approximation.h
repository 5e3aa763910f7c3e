#pragma once
// Seed 002: learn a rank-r factorisation B A ≈ W by gradient descent on the mean squared
// error, and compare where it plateaus with the Eckart–Young optimum ‖W − W_r‖_F² / (m n)
// that the truncated SVD gives directly.
#include "nn/tensor.h"
#include "util/rng.h"

#include <cstdint>
#include <functional>
#include <stop_token>
#include <string>
#include <vector>

namespace lora {

struct GdApproxOptions {
    int rank = 2;
    int steps = 1000;
    std::string optimizer = "adam"; // "adam" | "sgd"
    float learningRate = 0.01f;
    std::uint64_t seed = 0; // drives the init of A (B starts at zero, as in LoRA)
    int reportEvery = 100;  // rows of the improvement table

    void validate(int rows, int cols) const; // InputError naming the bad option
};

// One row of seed 002's table: "Iteration  Loss  Improvement".
struct ImprovementRow {
    int iteration = 0;
    double loss = 0.0;
    double improvementPercent = 0.0; // (loss₀ − loss) / loss₀ · 100; 0 on the baseline row
};

struct GdApproxResult {
    std::vector<double> curve; // MSE before step 0, 1, …, steps (size steps + 1)
    std::vector<ImprovementRow> table;
    double initialLoss = 0.0; // curve.front() = mean(W²) since B = 0
    double gdLoss = 0.0;      // curve.back()
    double svdLoss = 0.0;     // ‖W − W_r‖_F² / (m n)
    double gapPercent = 0.0;  // (gdLoss − svdLoss) / svdLoss · 100 (0 when both are 0, +∞ when
                              // only svdLoss is: at r = min(m, n) no relative gap is finite)
    bool stopped = false;     // cancelled through the stop token
    Matrix B;                 // [m, r]
    Matrix A;                 // [r, n]
};

// Seed 002's matrix: entries drawn from N(0, 1) with our Rng.
Matrix gaussianMatrix(int rows, int cols, Rng& rng);

// w: [m, n], b: [m, r], a: [r, n] -> L = ‖B A − W‖_F² / (m n). When dB [m, r] / dA [r, n] are
// given, dL/dB = 2/(mn)·E Aᵀ and dL/dA = 2/(mn)·Bᵀ E (E = BA − W) are added into them, like
// the layers' backward: callers zero them first.
double approximationLoss(const Eigen::Ref<const Matrix>& w, const Eigen::Ref<const Matrix>& b,
                         const Eigen::Ref<const Matrix>& a, Matrix* dB = nullptr,
                         Matrix* dA = nullptr);

// w: [m, n] -> factors and curves. onStep(step, loss) is called after each step when given;
// a stop request ends the run early with stopped = true. InputError for an empty or non-finite
// w, bad options, or a loss that overflows ("diverged at step k": the learning rate is too big).
GdApproxResult approximateByGradientDescent(const Eigen::Ref<const Matrix>& w,
                                            const GdApproxOptions& options,
                                            const std::function<void(int, double)>& onStep = {},
                                            std::stop_token stop = {});

} // namespace lora
