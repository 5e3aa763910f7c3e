#pragma once
// Truncated SVD for a rank slider: W = U Σ Vᵀ is decomposed once (Eigen's BDCSVD, in double),
// after which every r in 0…min(m, n) is answered from the cached factors — errors and energy
// in O(1) from prefix sums of σ², W_r by one thin product.
#include "nn/tensor.h"

#include <Eigen/Core>
#include <vector>

namespace lora {

// Seed 001's naming: W_r = B A with B = U_r Σ_r [m, r] and A = V_rᵀ [r, n].
struct LowRankFactors {
    Matrix B; // [m, r]
    Matrix A; // [r, n]
};

struct ApproximationError {
    int rank = 0;
    double frobenius = 0.0; // ‖W − W_r‖_F = sqrt(Σ_{i>r} σ_i²)
    double relative = 0.0;  // frobenius / ‖W‖_F (0 for W = 0)
    double energy = 0.0;    // Σ_{i≤r} σ_i² / Σ σ_i² (1 for W = 0)
};

class TruncatedSvd {
public:
    // w: [m, n], any shape with m, n ≥ 1; InputError for empty or non-finite input.
    explicit TruncatedSvd(const Eigen::Ref<const Matrix>& w);

    Eigen::Index rows() const { return m_w.rows(); }
    Eigen::Index cols() const { return m_w.cols(); }
    int maxRank() const { return static_cast<int>(m_sigma.size()); } // min(m, n)
    const Matrix& matrix() const { return m_w; }
    const Eigen::VectorXd& singularValues() const { return m_sigma; } // descending
    double frobeniusNorm() const;
    int numericalRank(double tolerance = -1.0) const; // see linalg/rank.h

    // r in 0…maxRank(), else InputError naming the range.
    ApproximationError error(int r) const;
    std::vector<ApproximationError> errorCurve() const; // r = 0…maxRank()
    LowRankFactors factors(int r) const;
    // W_r [m, n], from scratch: U_r Σ_r V_rᵀ, or W − (the tail) when that is the thinner product.
    Matrix approximation(int r) const;

    // Cached float factors: left = U Σ [m, k], right = V [n, k], k = maxRank().
    const Matrix& leftScaled() const { return m_left; }
    const Matrix& right() const { return m_right; }

private:
    void checkRank(int r) const;

    Matrix m_w;
    Eigen::VectorXd m_sigma;
    Eigen::VectorXd m_tailEnergy; // m_tailEnergy[r] = Σ_{i≥r} σ_i² (size k + 1)
    Matrix m_left, m_right;
};

// Follows a rank slider over one TruncatedSvd: moving from r to r′ adds or subtracts only the
// singular triplets in between (cost ∝ |r′ − r|), or restarts from 0 or from W when that is
// cheaper. Incremental updates accumulate rounding, so after a bounded number of them the
// next move recomputes from scratch. The TruncatedSvd must outlive the sweep.
class RankSweep {
public:
    explicit RankSweep(const TruncatedSvd& svd); // starts at r = 0 (all zeros)
    const Matrix& moveTo(int r);                 // InputError outside 0…maxRank()
    int rank() const { return m_rank; }
    const Matrix& current() const { return m_current; }

private:
    const TruncatedSvd* m_svd;
    Matrix m_current;
    int m_rank = 0;
    int m_incrementalColumns = 0; // triplets added/removed since the last fresh start
};

} // namespace lora
