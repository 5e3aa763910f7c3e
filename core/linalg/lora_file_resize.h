#pragma once
// A whole real LoRA file resized and written back in its own format: every LoRA module cut to
// the rank a rule keeps (lora_resize.h), kohya's ss_network_dim / ss_network_alpha updated,
// the rest kept as it was. What `lora-cli resize` and the Adapter inspector's Export both run.
#include "io/lora_file_write.h"
#include "linalg/lora_resize.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lora {

struct FileResize {
    LoraFormat format = LoraFormat::Peft;
    std::vector<ResizedModule> modules; // in the file's order, their factors released
    std::uint64_t bytesBefore = 0, bytesAfter = 0;
    int resizedCount = 0;
};

// Reads `path` (any format readLoraFile takes), resizes, writes `out` atomically (a PEFT
// folder for a PEFT source, else one file). InputError on a bad file or an output the writer
// may not replace; nothing is written then.
FileResize resizeLoraFile(const std::string& path, const std::string& out, const ResizeRule& rule,
                          LoraWriteOptions options);

} // namespace lora
