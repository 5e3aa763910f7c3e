#pragma once
// A real LoRA file read one module at a time: the config and the header are read and every key
// checked when it opens, then each module's tensors only when that module is asked for. A file
// of any size costs its largest module in memory, not its size (what inspect needs; resize and
// convert, which write the file back, read it whole with readLoraFile).
#include "io/lora_file.h"
#include "io/lora_file_config.h"
#include "io/lora_file_grouping.h"
#include "io/safetensors_reader.h"

#include <memory>
#include <string>
#include <vector>

namespace lora {

class LoraFileStream {
public:
    // readLoraFile's checks of names, config and header; InputError "<path>: …".
    explicit LoraFileStream(const std::string& path);

    // Format, metadata, base model, params, bytes and rsLoRA; `modules` is left empty.
    const LoraFile& summary() const { return m_summary; }
    std::size_t moduleCount() const { return m_modules.size(); }
    // Module i in file order, its tensors read now: InputError naming the tensor and the fault
    // (non-finite values, halves that disagree, a missing half …).
    LoraModule module(std::size_t i) const;

private:
    LoraFileLocation m_at; // before m_reader, which opens the weights it names
    SafetensorsReader m_reader;
    std::unique_ptr<ScaleRules> m_rules;
    std::vector<ModuleTensorIndex> m_modules;
    LoraFile m_summary;
};

} // namespace lora
