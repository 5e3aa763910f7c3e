#pragma once
// The LoRA paper's §7 analyses (Hu et al. 2021) on trained adapters: the spectrum of the
// update ΔW = s·BA, the subspace similarity of two adapters' A, and how much ΔW amplifies
// directions that W itself does not emphasise.
#include "nn/tensor.h"
#include "util/rng.h"

#include <Eigen/Core>

namespace lora {

struct Spectrum {
    Eigen::VectorXd singularValues; // descending, min(m, n) of them
    int numericalRank = 0;          // default tolerance of linalg/rank.h
    double frobeniusNorm = 0.0;
};

// deltaW: [out, in] -> its singular values
Spectrum spectrumOf(const Eigen::Ref<const Matrix>& deltaW);

// Σ_{i<r} σᵢ² / Σ σᵢ²: the share of ‖ΔW‖_F² the best rank-r approximation keeps (1 for a
// zero matrix; r beyond the spectrum counts all of it).
double energyInTop(const Spectrum& spectrum, int r);

// φ(A₁, A₂, i, j) = ‖U₁⁽ⁱ⁾ᵀ U₂⁽ʲ⁾‖_F² / min(i, j), U⁽ⁱ⁾ = the top-i right-singular vectors of A
// (input-side directions). a1: [r1, in], a2: [r2, in] -> grid [r1, r2] with grid(i−1, j−1) = φ.
// InputError when the input widths differ or either A is empty.
Eigen::MatrixXd subspaceSimilarity(const Eigen::Ref<const Matrix>& a1,
                                   const Eigen::Ref<const Matrix>& a2);

// Table 7 of the paper for one layer: ‖Uᵀ W V‖_F where U [out, r], V [in, r] are the top-r
// left/right singular vectors of ΔW, of W itself, or of a random Gaussian matrix.
struct Amplification {
    int rank = 0;
    double weightNorm = 0.0;        // ‖W‖_F
    double deltaNorm = 0.0;         // ‖ΔW‖_F
    double projectionOnDelta = 0.0; // ‖U_ΔWᵀ W V_ΔW‖_F
    double projectionOnWeight = 0.0;
    double projectionOnRandom = 0.0;
    double factor = 0.0; // deltaNorm / projectionOnDelta (the paper's amplification factor)
};

// w, deltaW: [out, in]; r in 1…min(out, in), else InputError. rng draws the random baseline.
Amplification amplification(const Eigen::Ref<const Matrix>& w,
                            const Eigen::Ref<const Matrix>& deltaW, int r, Rng& rng);

} // namespace lora
