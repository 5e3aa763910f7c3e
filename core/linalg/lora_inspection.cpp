#include "linalg/lora_inspection.h"

#include "io/lora_file_stream.h"

namespace lora {

LoraReport inspectLoraFile(const std::string& path, const InspectProgress& progress) {
    const LoraFileStream stream(path);
    const LoraFile& file = stream.summary();
    LoraReport report;
    report.format = file.format;
    report.metadata = file.metadata;
    report.baseModel = file.baseModel;
    report.params = file.params;
    report.bytes = file.bytes;
    report.rslora = file.rslora;
    const std::size_t total = stream.moduleCount();
    for (std::size_t i = 0; i < total; ++i) {
        ModuleReport r;
        r.module = stream.module(i);
        r.spectrum = moduleSpectrum(r.module);
        // Only the figures stay: the factors of a large file would add up to its size.
        r.module.up = r.module.down = r.module.kronLeft = r.module.kronRight = Matrix();
        report.modules.push_back(std::move(r));
        if (progress && !progress(report.modules.size(), total)) {
            report.cancelled = true;
            break;
        }
    }
    return report;
}

} // namespace lora
