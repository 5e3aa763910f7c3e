#include "io/lora_file_stream.h"

#include "io/lora_file_modules.h"
#include "util/error.h"

namespace lora {

LoraFileStream::LoraFileStream(const std::string& path)
    : m_at(locateLoraFile(path)), m_reader(m_at.weights, kMaxSafetensorsBytes, m_at.folder) {
    const std::string& what = m_reader.path();
    if (m_reader.entries().empty()) throw InputError(what + ": holds no tensors");
    m_rules = std::make_unique<ScaleRules>(m_at.peftConfig ? &*m_at.peftConfig : nullptr,
                                           m_reader.metadata(), what);
    std::vector<std::string> names;
    for (const TensorEntry& e : m_reader.entries()) {
        names.push_back(e.name);
        m_summary.params += static_cast<std::int64_t>(e.values());
    }
    m_modules = groupModuleTensors(names, *m_rules, what);
    m_summary.format = formatOf(m_modules, m_at.peftConfig.has_value());
    m_summary.metadata = m_reader.metadata();
    m_summary.baseModel = m_rules->baseModel();
    m_summary.rslora = m_rules->rslora();
    m_summary.bytes = m_at.configBytes + m_reader.fileSize();
}

LoraModule LoraFileStream::module(std::size_t i) const {
    const ModuleTensorIndex& m = m_modules.at(i);
    std::vector<NamedTensor> read;
    read.reserve(m.parts.size()); // pointers into it are taken below
    std::map<KeyPart, const NamedTensor*> tensors;
    for (const auto& [part, k] : m.parts) {
        read.push_back(m_reader.read(k));
        if (!allFinite(read.back()))
            throw InputError(m_reader.path() + ": tensor " + read.back().name +
                             " holds NaN or infinite values");
        tensors[part] = &read.back();
    }
    return buildModule({m.name, tensors, m_reader.path()}, *m_rules);
}

} // namespace lora
