#include "linalg/adapter_analysis.h"

#include "linalg/rank.h"
#include "util/error.h"

#include <Eigen/QR>
#include <Eigen/SVD>
#include <algorithm>
#include <string>

namespace lora {
namespace {

std::string shapeOf(const Eigen::Ref<const Matrix>& m) {
    return std::to_string(m.rows()) + "x" + std::to_string(m.cols());
}

void requireFinite(const Eigen::Ref<const Matrix>& m, const std::string& what) {
    if (m.size() == 0) throw InputError(what + " is empty (" + shapeOf(m) + ")");
    if (!m.allFinite()) throw InputError(what + " has a non-finite entry");
}

// a: [r, in] -> V [in, min(r, in)], right-singular vectors by descending σ. Thin V is still
// orthonormal when A is rank-deficient, which keeps every φ in [0, 1].
Eigen::MatrixXd rightSingularVectors(const Eigen::Ref<const Matrix>& a) {
    const Eigen::MatrixXd ad = a.cast<double>();
    const Eigen::BDCSVD<Eigen::MatrixXd> svd(ad, Eigen::ComputeThinV);
    return svd.matrixV();
}

// [rows, r] with orthonormal columns spanning the column space of a Gaussian matrix: a uniformly
// random r-dimensional subspace, the "chance" level of Table 7.
Eigen::MatrixXd randomOrthonormal(Eigen::Index rows, int r, Rng& rng) {
    Eigen::MatrixXd g(rows, r);
    for (Eigen::Index j = 0; j < g.cols(); ++j)
        for (Eigen::Index i = 0; i < g.rows(); ++i) g(i, j) = rng.normal();
    const Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
    return qr.householderQ() * Eigen::MatrixXd::Identity(rows, r);
}

// u: [out, r], v: [in, r], w: [out, in] -> ‖Uᵀ W V‖_F, the part of W living in those directions.
double projectedNorm(const Eigen::MatrixXd& u, const Eigen::MatrixXd& w, const Eigen::MatrixXd& v) {
    return (u.transpose() * w * v).norm();
}

} // namespace

Spectrum spectrumOf(const Eigen::Ref<const Matrix>& deltaW) {
    Spectrum s;
    if (deltaW.size() == 0) return s;
    if (!deltaW.allFinite()) throw InputError("ΔW has a non-finite entry");
    s.singularValues = singularValues(deltaW);
    s.numericalRank = numericalRank(s.singularValues, deltaW.rows(), deltaW.cols());
    s.frobeniusNorm = deltaW.cast<double>().norm();
    return s;
}

double energyInTop(const Spectrum& spectrum, int r) {
    const Eigen::VectorXd& s = spectrum.singularValues;
    const double total = s.squaredNorm();
    if (total == 0.0) return 1.0;
    const auto k = std::clamp<Eigen::Index>(r, 0, s.size());
    return s.head(k).squaredNorm() / total;
}

Eigen::MatrixXd subspaceSimilarity(const Eigen::Ref<const Matrix>& a1,
                                   const Eigen::Ref<const Matrix>& a2) {
    requireFinite(a1, "the first A");
    requireFinite(a2, "the second A");
    if (a1.cols() != a2.cols())
        throw InputError("the two A matrices have different input widths (" + shapeOf(a1) +
                         " and " + shapeOf(a2) + ")");
    const Eigen::MatrixXd v1 = rightSingularVectors(a1); // [in, k1]
    const Eigen::MatrixXd v2 = rightSingularVectors(a2); // [in, k2]
    // overlap(p, q) = (v1_pᵀ v2_q)², so ‖U₁⁽ⁱ⁾ᵀ U₂⁽ʲ⁾‖_F² is its top-left i×j block sum; a 2-D
    // prefix sum gives the whole grid in O(r1·r2) after one product.
    const Eigen::MatrixXd overlap = (v1.transpose() * v2).array().square().matrix();
    Eigen::MatrixXd prefix = Eigen::MatrixXd::Zero(overlap.rows() + 1, overlap.cols() + 1);
    for (Eigen::Index p = 0; p < overlap.rows(); ++p)
        for (Eigen::Index q = 0; q < overlap.cols(); ++q)
            prefix(p + 1, q + 1) =
                overlap(p, q) + prefix(p, q + 1) + prefix(p + 1, q) - prefix(p, q);

    // An A with more rows than inputs has only `in` right-singular vectors; later i reuse them all.
    Eigen::MatrixXd grid(a1.rows(), a2.rows());
    for (Eigen::Index i = 1; i <= grid.rows(); ++i)
        for (Eigen::Index j = 1; j <= grid.cols(); ++j) {
            const double sum = prefix(std::min(i, overlap.rows()), std::min(j, overlap.cols()));
            grid(i - 1, j - 1) = std::clamp(sum / double(std::min(i, j)), 0.0, 1.0);
        }
    return grid;
}

Amplification amplification(const Eigen::Ref<const Matrix>& w,
                            const Eigen::Ref<const Matrix>& deltaW, int r, Rng& rng) {
    requireFinite(w, "W");
    requireFinite(deltaW, "ΔW");
    if (w.rows() != deltaW.rows() || w.cols() != deltaW.cols())
        throw InputError("W is " + shapeOf(w) + " but ΔW is " + shapeOf(deltaW));
    const int maxRank = static_cast<int>(std::min(w.rows(), w.cols()));
    if (r < 1 || r > maxRank)
        throw InputError("rank must be in 1.." + std::to_string(maxRank) + " for a " + shapeOf(w) +
                         " layer (got " + std::to_string(r) + ")");

    const Eigen::MatrixXd wd = w.cast<double>(), dd = deltaW.cast<double>();
    const auto thin = Eigen::ComputeThinU | Eigen::ComputeThinV;
    const Eigen::BDCSVD<Eigen::MatrixXd> svdDelta(dd, thin), svdW(wd, thin);

    Amplification a;
    a.rank = r;
    a.weightNorm = wd.norm();
    a.deltaNorm = dd.norm();
    a.projectionOnDelta =
        projectedNorm(svdDelta.matrixU().leftCols(r), wd, svdDelta.matrixV().leftCols(r));
    a.projectionOnWeight =
        projectedNorm(svdW.matrixU().leftCols(r), wd, svdW.matrixV().leftCols(r));
    const Eigen::MatrixXd u = randomOrthonormal(w.rows(), r, rng); // drawn before V: fixed order
    const Eigen::MatrixXd v = randomOrthonormal(w.cols(), r, rng);
    a.projectionOnRandom = projectedNorm(u, wd, v);
    // ΔW orthogonal to all of W would amplify "infinitely"; 0 keeps the figure printable and
    // is also the honest answer for ΔW = 0.
    a.factor = a.projectionOnDelta > 0.0 ? a.deltaNorm / a.projectionOnDelta : 0.0;
    return a;
}

} // namespace lora
