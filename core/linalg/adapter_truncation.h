#pragma once
// The SVD of a low-rank product s·B A without forming it: with thin QRs B = Q_B R_B and
// Aᵀ = Q_A R_A, s·BA = Q_B (s·R_B R_Aᵀ) Q_Aᵀ, and only the small core [≤r, ≤r] is decomposed.
// Cost O((out + in)·r² + r³) instead of an SVD of the [out, in] product: what a rank slider on
// a trained adapter needs, computed once per adapter layer.
#include "linalg/truncated_svd.h"

namespace lora {

class FactorSvd {
public:
    // b: [out, r], a: [r, in] -> the SVD of scale·b·a. InputError for empty, mismatched or
    // non-finite factors.
    FactorSvd(const Eigen::Ref<const Matrix>& b, const Eigen::Ref<const Matrix>& a, double scale);

    int rank() const { return m_rank; } // r, the factors' inner size
    // min(r, out, in) singular values of scale·BA, descending (some may be 0).
    const Eigen::VectorXd& singularValues() const { return m_sigma; }
    // The best rank-r′ approximation as factors B′ [out, r′] = Q_B U Σ (first r′ columns) and
    // A′ [r′, in] = (Q_A V)ᵀ; past the last singular value the columns are zero, so r′ may be
    // any of 1…rank(). InputError outside that range.
    LowRankFactors factors(int r) const;
    // ‖scale·BA − B′A′‖_F = sqrt(Σ_{i>r′} σᵢ²) (Eckart–Young), for r′ in 0…rank().
    double tailNorm(int r) const;

private:
    void checkRank(int r, int lowest) const;

    int m_rank = 0;
    Eigen::VectorXd m_sigma;
    Matrix m_left;  // [out, k] = Q_B U Σ
    Matrix m_right; // [in, k] = Q_A V
};

} // namespace lora
