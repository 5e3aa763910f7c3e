#include "linalg/adapter_truncation.h"

#include "util/error.h"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <string>

namespace lora {

namespace {

// m: [rows, cols] -> thin Q [rows, k] and upper-trapezoidal R [k, cols], k = min(rows, cols).
void thinQr(const Eigen::MatrixXd& m, Eigen::MatrixXd& q, Eigen::MatrixXd& r) {
    const Eigen::Index k = std::min(m.rows(), m.cols());
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(m);
    q = qr.householderQ() * Eigen::MatrixXd::Identity(m.rows(), k);
    r = qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
}

} // namespace

FactorSvd::FactorSvd(const Eigen::Ref<const Matrix>& b, const Eigen::Ref<const Matrix>& a,
                     double scale) {
    if (b.size() == 0 || a.size() == 0) throw InputError("the factors B and A must not be empty");
    if (b.cols() != a.rows())
        throw InputError("B has " + std::to_string(b.cols()) + " columns but A has " +
                         std::to_string(a.rows()) + " rows");
    if (!b.allFinite() || !a.allFinite() || !std::isfinite(scale))
        throw InputError("the factors hold NaN or Inf values");
    m_rank = static_cast<int>(b.cols());
    Eigen::MatrixXd qb, rb, qa, ra;
    thinQr(b.cast<double>(), qb, rb);                           // B = Q_B R_B, R_B [kB, r]
    thinQr(a.transpose().cast<double>(), qa, ra);               // Aᵀ = Q_A R_A, R_A [kA, r]
    const Eigen::MatrixXd core = scale * (rb * ra.transpose()); // [kB, kA]
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(core, Eigen::ComputeThinU | Eigen::ComputeThinV);
    m_sigma = svd.singularValues();
    m_left = (qb * svd.matrixU() * m_sigma.asDiagonal()).cast<float>();
    m_right = (qa * svd.matrixV()).cast<float>();
}

void FactorSvd::checkRank(int r, int lowest) const {
    if (r < lowest || r > m_rank)
        throw InputError("the truncation rank must be between " + std::to_string(lowest) +
                         " and the adapter's rank " + std::to_string(m_rank) + " (got " +
                         std::to_string(r) + ")");
}

LowRankFactors FactorSvd::factors(int r) const {
    checkRank(r, 1);
    const Eigen::Index kept = std::min<Eigen::Index>(r, m_sigma.size());
    LowRankFactors f{Matrix::Zero(m_left.rows(), r), Matrix::Zero(r, m_right.rows())};
    f.B.leftCols(kept) = m_left.leftCols(kept);
    f.A.topRows(kept) = m_right.leftCols(kept).transpose();
    return f;
}

double FactorSvd::tailNorm(int r) const {
    checkRank(r, 0);
    const Eigen::Index kept = std::min<Eigen::Index>(r, m_sigma.size());
    return m_sigma.tail(m_sigma.size() - kept).norm();
}

} // namespace lora
