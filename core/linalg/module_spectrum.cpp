#include "linalg/module_spectrum.h"

#include "linalg/adapter_truncation.h"
#include "linalg/rank.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <functional>

namespace lora {

namespace {

std::vector<double> kroneckerValues(const Matrix& left, const Matrix& right, double scale) {
    const Eigen::VectorXd a = singularValues(left), b = singularValues(right);
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(a.size() * b.size()));
    for (double x : a)
        for (double y : b) out.push_back(std::abs(scale) * x * y);
    return out;
}

// Past this inner size the r×r eigenproblems cost more than the QRs FactorSvd runs (LoHa's
// face-splitting factors have dim² columns).
constexpr Eigen::Index kGramMaxInner = 512;

using RowMajorD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// x: [rows, k] -> xᵀ·x [k, k] in double. Plain GEMMs on copies cast in storage order: Eigen's
// symmetric rank update, or a cast that transposes, is slower for these tall, thin factors.
Eigen::MatrixXd gramOfColumns(const Matrix& x) {
    const RowMajorD xd = x.cast<double>();
    return xd.transpose() * xd;
}

// x: [k, cols] -> x·xᵀ [k, k] in double; the row-major copy read column-major is xᵀ.
Eigen::MatrixXd gramOfRows(const Matrix& x) {
    const RowMajorD xd = x.cast<double>();
    const Eigen::Map<const Eigen::MatrixXd> t(xd.data(), xd.cols(), xd.rows());
    return t.transpose() * t;
}

// up: [out, k], down: [k, in] -> the singular values of scale·up·down, from two k×k Gram
// matrices only: σ² are the eigenvalues of S·(down·downᵀ)·S with S = (upᵀ·up)^{1/2}. In double
// from float factors, the smallest values are off by about 1e-8·σ₁ (the square root of double
// precision), far inside what an inspector shows, at a fraction of the cost of two QRs.
std::vector<double> factorValues(const Matrix& up, const Matrix& down, double scale) {
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> upEig(gramOfColumns(up));
    const Eigen::VectorXd root = upEig.eigenvalues().cwiseMax(0).cwiseSqrt();
    const Eigen::MatrixXd s =
        upEig.eigenvectors() * root.asDiagonal() * upEig.eigenvectors().transpose();
    const Eigen::MatrixXd downGram = gramOfRows(down);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> core(s * downGram * s,
                                                              Eigen::EigenvaluesOnly);
    std::vector<double> out;
    for (double v : core.eigenvalues())
        out.push_back(std::abs(scale) * std::sqrt(std::max(v, 0.0)));
    return out;
}

} // namespace

int ModuleSpectrum::rankForEnergy(double share) const {
    double total = 0;
    for (double s : singularValues) total += s * s;
    if (total <= 0) return 0;
    double kept = 0;
    for (std::size_t k = 0; k < singularValues.size(); ++k) {
        kept += singularValues[k] * singularValues[k];
        // A relative slack, so that share 1 is reached despite rounding in the sums.
        if (kept >= share * total * (1 - 1e-12)) return static_cast<int>(k + 1);
    }
    return static_cast<int>(singularValues.size());
}

ModuleSpectrum moduleSpectrum(const LoraModule& module) {
    ModuleSpectrum s;
    if (module.kind == ModuleKind::Lokr) {
        s.singularValues = kroneckerValues(module.kronLeft, module.kronRight, module.scale);
    } else if (module.up.size() > 0 && module.down.size() > 0 &&
               module.up.cols() <= kGramMaxInner) {
        s.singularValues = factorValues(module.up, module.down, module.scale);
    } else if (module.up.size() > 0 && module.down.size() > 0) {
        const FactorSvd svd(module.up, module.down, module.scale);
        const Eigen::VectorXd& v = svd.singularValues();
        s.singularValues.assign(v.data(), v.data() + v.size());
    } else if (module.up.size() > 0) { // a stored difference
        const Eigen::VectorXd v = singularValues(module.up);
        for (double x : v) s.singularValues.push_back(std::abs(module.scale) * x);
    } else {
        return s; // nothing the file alone can say
    }
    s.available = true;
    std::sort(s.singularValues.begin(), s.singularValues.end(), std::greater<>());
    double total = 0;
    for (double x : s.singularValues) total += x * x;
    s.deltaNorm = std::sqrt(total);
    if (total > 0) {
        double entropy = 0;
        for (double x : s.singularValues)
            if (x > 0) {
                const double p = x * x / total;
                entropy -= p * std::log(p);
            }
        s.effectiveRank = std::exp(entropy);
    }
    return s;
}

} // namespace lora
