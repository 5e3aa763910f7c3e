#include "linalg/module_spectrum.h"

#include "linalg/adapter_truncation.h"
#include "linalg/rank.h"

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
