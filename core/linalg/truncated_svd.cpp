#include "linalg/truncated_svd.h"

#include "linalg/rank.h"
#include "util/error.h"

#include "nn/model_budget.h"

#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

namespace lora {

namespace {

void requireRank(int r, int k) {
    if (r < 0 || r > k)
        throw InputError("rank " + std::to_string(r) + " is outside 0.." + std::to_string(k));
}

// out: [m, n] (already sized) <- W_r. The two routes are the same W_r up to rounding; the
// thinner inner dimension is both the cheaper GEMM and the one with fewer rounded terms.
void freshInto(Matrix& out, const TruncatedSvd& svd, int r) {
    const Matrix& left = svd.leftScaled();
    const Matrix& right = svd.right();
    const int tail = svd.maxRank() - r;
    if (r <= tail) {
        // An empty inner dimension is not a product Eigen promises to zero-fill.
        if (r == 0) {
            out.setZero();
            return;
        }
        out.noalias() = left.leftCols(r) * right.leftCols(r).transpose();
    } else {
        out = svd.matrix();
        if (tail > 0) out.noalias() -= left.rightCols(tail) * right.rightCols(tail).transpose();
    }
}

} // namespace

// w: [m, n] -> σ [k], U Σ [m, k], V [n, k] with k = min(m, n)
TruncatedSvd::TruncatedSvd(const Eigen::Ref<const Matrix>& w) : m_w(w) {
    if (w.size() == 0)
        throw InputError("cannot decompose an empty " + std::to_string(w.rows()) + "x" +
                         std::to_string(w.cols()) + " matrix");
    if (!w.allFinite()) throw InputError("matrix has a non-finite entry");
    checkSvdBudget(w.rows(), w.cols(), "the matrix"); // its time grows as m·n·min(m, n)

    // Double so that σ and the error curve are accurate far below float's ε·σ_max; the float
    // factors are then only as rounded as the weights they reproduce.
    const Eigen::MatrixXd wd = w.cast<double>();
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(wd, Eigen::ComputeThinU | Eigen::ComputeThinV);
    m_sigma = svd.singularValues();

    const Eigen::Index k = m_sigma.size();
    m_tailEnergy.resize(k + 1);
    // Summed from the smallest σ up, so tiny tails are not lost beside σ_max².
    m_tailEnergy[k] = 0.0;
    for (Eigen::Index i = k - 1; i >= 0; --i)
        m_tailEnergy[i] = m_tailEnergy[i + 1] + m_sigma[i] * m_sigma[i];

    m_left = (svd.matrixU() * m_sigma.asDiagonal()).cast<float>();
    m_right = svd.matrixV().cast<float>();
}

double TruncatedSvd::frobeniusNorm() const {
    return std::sqrt(m_tailEnergy[0]);
}

int TruncatedSvd::numericalRank(double tolerance) const {
    return lora::numericalRank(m_sigma, rows(), cols(), tolerance);
}

void TruncatedSvd::checkRank(int r) const {
    requireRank(r, maxRank());
}

// r -> ‖W − W_r‖_F, relative error and retained energy, in O(1)
ApproximationError TruncatedSvd::error(int r) const {
    checkRank(r);
    const double total = m_tailEnergy[0];
    const double tail = m_tailEnergy[r];
    ApproximationError e;
    e.rank = r;
    e.frobenius = std::sqrt(tail);
    // W = 0 is exactly reproduced at every rank: no error, nothing left to capture.
    e.relative = total > 0.0 ? std::sqrt(tail / total) : 0.0;
    e.energy = total > 0.0 ? 1.0 - tail / total : 1.0;
    return e;
}

std::vector<ApproximationError> TruncatedSvd::errorCurve() const {
    std::vector<ApproximationError> curve;
    curve.reserve(static_cast<std::size_t>(maxRank()) + 1);
    for (int r = 0; r <= maxRank(); ++r) curve.push_back(error(r));
    return curve;
}

// r -> B [m, r], A [r, n]
LowRankFactors TruncatedSvd::factors(int r) const {
    checkRank(r);
    return {m_left.leftCols(r), m_right.leftCols(r).transpose()};
}

// r -> W_r [m, n]
Matrix TruncatedSvd::approximation(int r) const {
    checkRank(r);
    Matrix out(rows(), cols());
    freshInto(out, *this, r);
    return out;
}

RankSweep::RankSweep(const TruncatedSvd& svd)
    : m_svd(&svd), m_current(Matrix::Zero(svd.rows(), svd.cols())) {}

// r′ -> W_r′ [m, n], by the cheapest route measured in rank-1 column products
const Matrix& RankSweep::moveTo(int r) {
    const int k = m_svd->maxRank();
    requireRank(r, k);
    if (r == m_rank) return m_current;

    const int step = std::abs(r - m_rank);
    const int fresh = std::min(r, k - r);
    // Each incremental update rounds once more, like one more term of a GEMM's inner sum. Capping
    // them at k since the last fresh start keeps the drift of the same order as a fresh W_r's
    // own rounding, and costs at most k/2 extra columns per k moved. On a tie fresh wins:
    // same cost, and it clears the drift.
    if (step < fresh && m_incrementalColumns + step <= k) {
        const Matrix& left = m_svd->leftScaled();
        const Matrix& right = m_svd->right();
        const int lo = std::min(r, m_rank);
        if (r > m_rank)
            m_current.noalias() +=
                left.middleCols(lo, step) * right.middleCols(lo, step).transpose();
        else
            m_current.noalias() -=
                left.middleCols(lo, step) * right.middleCols(lo, step).transpose();
        m_incrementalColumns += step;
    } else {
        freshInto(m_current, *m_svd, r);
        m_incrementalColumns = 0;
    }
    m_rank = r;
    return m_current;
}

} // namespace lora
