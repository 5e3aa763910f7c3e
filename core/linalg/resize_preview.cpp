#include "linalg/resize_preview.h"

#include <algorithm>
#include <cmath>

namespace lora {

ResizePreview previewResize(const LoraReport& report, const ResizeRule& rule) {
    ResizePreview p;
    p.bytesBefore = report.bytes;
    // The report carries no dtype per module, so this is an approximation: the file's bytes
    // per value, which the header and a PEFT config push a little above the dtype's size
    // (far above it in a tiny file), snapped down to F32's 4 or F16/BF16's 2.
    const double ratio = report.params > 0 ? double(report.bytes) / double(report.params) : 4.0;
    const double bytesPerValue = ratio >= 4 ? 4.0 : ratio >= 2 ? 2.0 : ratio;
    double saved = 0;
    for (const ModuleReport& m : report.modules) {
        ModulePreview mp;
        mp.rank = mp.newRank = m.module.rank;
        const auto& sigma = m.spectrum.singularValues;
        if (m.module.kind == ModuleKind::Lora && m.spectrum.available && !sigma.empty() &&
            m.module.rank > 0) {
            mp.newRank = std::min(keptRank(sigma, rule), m.module.rank);
            double kept = 0, all = 0;
            for (std::size_t i = 0; i < sigma.size(); ++i) {
                all += sigma[i] * sigma[i];
                if (static_cast<int>(i) < mp.newRank) kept += sigma[i] * sigma[i];
            }
            mp.froRetained = all > 0 ? std::sqrt(kept / all) : 1.0;
            mp.resized = mp.newRank < mp.rank;
            // Each rank holds one column of up [out] and one row of down [in·kh·kw]: params/r
            // values (the alpha scalar aside).
            const double perRank = double(m.module.params) / m.module.rank;
            saved += double(mp.rank - mp.newRank) * std::floor(perRank) * bytesPerValue;
        }
        p.modules.push_back(mp);
    }
    p.bytesAfter =
        static_cast<std::uint64_t>(std::max(0.0, double(p.bytesBefore) - std::round(saved)));
    return p;
}

} // namespace lora
