#pragma once
// What `lora-cli inspect` and the GUI's Adapter inspector show of a real LoRA file: its
// format, metadata and every module's spectrum, read module by module so that a file of
// any size costs only its largest module's factors in memory (never the whole file, never a
// formed ΔW).
#include "io/lora_file.h"
#include "linalg/module_spectrum.h"

#include <functional>
#include <string>
#include <vector>

namespace lora {

struct ModuleReport {
    LoraModule module; // its name, kind, shape, rank, alpha, scale, note; factors left empty
    ModuleSpectrum spectrum;
};

struct LoraReport {
    LoraFormat format = LoraFormat::Peft;
    std::map<std::string, std::string> metadata;
    std::string baseModel;
    std::int64_t params = 0;
    std::uint64_t bytes = 0;
    bool rslora = false;
    std::vector<ModuleReport> modules; // in the file's order
    bool cancelled = false;            // progress said stop: `modules` holds those done
};

// Called after each module with (modules done, modules in all); returning false stops the
// reading (the report comes back with `cancelled` set).
using InspectProgress = std::function<bool(std::size_t done, std::size_t total)>;

// readLoraFile's checks and messages (InputError "<path>: …"), the same report for a folder,
// a PEFT adapter_model.safetensors or a single file.
LoraReport inspectLoraFile(const std::string& path, const InspectProgress& progress = {});

} // namespace lora
