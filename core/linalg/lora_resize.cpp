#include "linalg/lora_resize.h"

#include "linalg/adapter_truncation.h"

#include <algorithm>
#include <cmath>

namespace lora {

int keptRank(const std::vector<double>& sigma, const ResizeRule& rule) {
    const int n = static_cast<int>(sigma.size());
    int k = n;
    double total = 0, squares = 0;
    for (double s : sigma) {
        total += s;
        squares += s * s;
    }
    switch (rule.method) {
    case ResizeMethod::Rank:
        k = static_cast<int>(rule.value);
        break;
    case ResizeMethod::SvRatio:
        k = static_cast<int>(std::count_if(sigma.begin(), sigma.end(), [&](double s) {
            return !sigma.empty() && s > sigma.front() / rule.value;
        }));
        break;
    case ResizeMethod::SvFro:
    case ResizeMethod::SvCumulative: {
        const bool fro = rule.method == ResizeMethod::SvFro;
        const double target = fro ? rule.value * rule.value * squares : rule.value * total;
        double sum = 0;
        for (k = 0; k < n;) {
            sum += fro ? sigma[k] * sigma[k] : sigma[k];
            ++k;
            if (sum >= target * (1 - 1e-12)) break;
        }
        break;
    }
    }
    if (rule.method != ResizeMethod::Rank && rule.maxRank > 0) k = std::min(k, rule.maxRank);
    return std::clamp(k, 1, std::max(1, n));
}

ResizedModule resizeModule(const LoraModule& module, const ResizeRule& rule, bool rslora) {
    ResizedModule r;
    r.name = module.name;
    r.rank = r.newRank = module.rank;
    r.alpha = module.alpha;
    if (module.kind != ModuleKind::Lora) {
        r.reason = module.kind == ModuleKind::Dora
                       ? "DoRA: its magnitudes were trained for this direction's norm"
                       : std::string(toString(module.kind)) + " modules are kept as they are";
        return r;
    }
    // Unscaled: up′·down′ approximates up·down and the scale stays the module's own.
    const FactorSvd svd(module.up, module.down, 1.0);
    const Eigen::VectorXd& v = svd.singularValues();
    const std::vector<double> sigma(v.data(), v.data() + v.size());
    r.newRank = std::min(keptRank(sigma, rule), module.rank);
    double kept = 0, all = 0;
    for (std::size_t i = 0; i < sigma.size(); ++i) {
        all += sigma[i] * sigma[i];
        if (static_cast<int>(i) < r.newRank) kept += sigma[i] * sigma[i];
    }
    r.froRetained = all > 0 ? std::sqrt(kept / all) : 1.0;
    if (r.newRank >= module.rank) return r; // nothing to drop: the tensors stay bit for bit
    const LowRankFactors f = svd.factors(r.newRank);
    r.up = f.B;
    r.down = f.A;
    r.alpha = rslora ? module.scale * std::sqrt(static_cast<double>(r.newRank))
                     : module.scale * r.newRank;
    r.resized = true;
    return r;
}

} // namespace lora
