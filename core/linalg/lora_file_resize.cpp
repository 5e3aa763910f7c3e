#include "linalg/lora_file_resize.h"

#include <set>

namespace lora {

FileResize resizeLoraFile(const std::string& path, const std::string& out, const ResizeRule& rule,
                          LoraWriteOptions options) {
    LoraSource source;
    const LoraFile file = readLoraFile(path, &source);
    FileResize result;
    result.format = file.format;
    result.bytesBefore = file.bytes;
    std::vector<ModuleReplacement> replaced;
    std::set<int> newRanks;
    for (const LoraModule& m : file.modules) {
        ResizedModule r = resizeModule(m, rule, file.rslora);
        if (m.kind == ModuleKind::Lora) newRanks.insert(r.newRank);
        if (r.resized) {
            replaced.push_back({r.name, std::move(r.up), std::move(r.down), r.alpha});
            r.up = r.down = Matrix();
        }
        result.modules.push_back(std::move(r));
    }
    if (source.tensors.metadata.count("ss_network_dim")) {
        const bool one = newRanks.size() == 1;
        options.metadata["ss_network_dim"] = one ? std::to_string(*newRanks.begin()) : "Dynamic";
        options.metadata["ss_network_alpha"] = "Dynamic"; // each module's alpha keeps its scale
    }
    result.resizedCount = static_cast<int>(replaced.size());
    result.bytesAfter = writeLoraFile(out, source, file, replaced, options);
    return result;
}

} // namespace lora
