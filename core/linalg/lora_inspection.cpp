#include "linalg/lora_inspection.h"

namespace lora {

LoraReport inspectLoraFile(const std::string& path, const InspectProgress& progress) {
    LoraFile file = readLoraFile(path);
    LoraReport report;
    report.format = file.format;
    report.metadata = std::move(file.metadata);
    report.baseModel = std::move(file.baseModel);
    report.params = file.params;
    report.bytes = file.bytes;
    report.rslora = file.rslora;
    const std::size_t total = file.modules.size();
    for (LoraModule& m : file.modules) {
        ModuleReport r;
        r.spectrum = moduleSpectrum(m);
        m.up = m.down = m.kronLeft = m.kronRight = Matrix();
        r.module = std::move(m);
        report.modules.push_back(std::move(r));
        if (progress && !progress(report.modules.size(), total)) {
            report.cancelled = true;
            break;
        }
    }
    return report;
}

} // namespace lora
