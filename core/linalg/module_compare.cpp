#include "linalg/module_compare.h"

#include "linalg/adapter_analysis.h"
#include "linalg/adapter_truncation.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace lora {

namespace {

bool hasFactors(const LoraModule& m) {
    return m.up.size() > 0 && m.down.size() > 0 && m.up.cols() == m.down.rows();
}

// The number of nonzero singular values: directions past it are arbitrary and would make φ
// depend on the SVD's choice of a null-space basis.
int nonzeroCount(const Eigen::VectorXd& sigma) {
    const double tolerance = sigma.size() > 0 ? sigma(0) * 1e-10 : 0;
    int k = 0;
    while (k < sigma.size() && sigma(k) > tolerance) ++k;
    return k;
}

} // namespace

double factorInner(const Matrix& b1, const Matrix& a1, double s1, const Matrix& b2,
                   const Matrix& a2, double s2) {
    const Eigen::MatrixXd left = b1.cast<double>().transpose() * b2.cast<double>();  // [r1, r2]
    const Eigen::MatrixXd right = a2.cast<double>() * a1.cast<double>().transpose(); // [r2, r1]
    return s1 * s2 * (left.cwiseProduct(right.transpose())).sum();
}

ModuleComparison compareModules(const LoraModule& first, const LoraModule& second) {
    ModuleComparison c;
    if (!hasFactors(first) || !hasFactors(second) || first.up.rows() != second.up.rows() ||
        first.down.cols() != second.down.cols())
        return c;
    const double n1 =
        factorInner(first.up, first.down, first.scale, first.up, first.down, first.scale);
    const double n2 =
        factorInner(second.up, second.down, second.scale, second.up, second.down, second.scale);
    const double cross =
        factorInner(first.up, first.down, first.scale, second.up, second.down, second.scale);
    c.available = true;
    if (n1 <= 0 || n2 <= 0) return c;
    c.cosine = std::clamp(cross / std::sqrt(n1 * n2), -1.0, 1.0);

    const FactorSvd svd1(first.up, first.down, first.scale);
    const FactorSvd svd2(second.up, second.down, second.scale);
    const int k1 = nonzeroCount(svd1.singularValues()), k2 = nonzeroCount(svd2.singularValues());
    if (k1 == 0 || k2 == 0) return c;
    // B′ = U·Σ [out, k]: the right singular vectors of B′ᵀ = Σ·Uᵀ are U's columns in σ's
    // order, so the existing φ of two "A" matrices [k, out] is φ of the left directions.
    const Matrix u1 = svd1.factors(k1).B.transpose();
    const Matrix u2 = svd2.factors(k2).B.transpose();
    c.phi = subspaceSimilarity(u1, u2);
    c.phiTop = c.phi(0, 0);
    const int k = std::min(k1, k2);
    c.phiFull = c.phi(k - 1, k - 1);
    return c;
}

std::vector<std::optional<ModuleComparison>> compareFiles(const LoraFile& first,
                                                          const LoraFile& second) {
    std::map<std::string, const LoraModule*> byName;
    for (const LoraModule& m : second.modules) byName.emplace(m.name, &m);
    std::vector<std::optional<ModuleComparison>> out;
    for (const LoraModule& m : first.modules) {
        const auto it = byName.find(m.name);
        out.push_back(it == byName.end() ? std::nullopt
                                         : std::optional(compareModules(m, *it->second)));
    }
    return out;
}

} // namespace lora
