#pragma once
// How a real LoRA file's tensors fall into modules, from their names alone, and which format
// the names say the file is: shared by the whole-file reader and the module-by-module stream.
#include "io/lora_file_config.h"
#include "io/lora_file_keys.h"
#include "io/lora_module.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lora {

struct ModuleTensorIndex {
    std::string name;
    std::map<KeyPart, std::size_t> parts; // into the file's tensors
    KeyFamily family = KeyFamily::None;
};

// The modules in the order of their first tensor. InputError for a key with no adapter suffix
// that is not a whole weight PEFT's modules_to_save keeps, a Tucker core, or a part twice.
std::vector<ModuleTensorIndex> groupModuleTensors(const std::vector<std::string>& names,
                                                  const ScaleRules& rules, const std::string& what);
LoraFormat formatOf(const std::vector<ModuleTensorIndex>& modules, bool hasConfig);

// Where a path's tensors and config are: a PEFT folder, its adapter_model.safetensors (which
// still takes the folder's config, as PEFT loads it) or a single file.
struct LoraFileLocation {
    std::string weights;
    std::optional<nlohmann::json> peftConfig; // adapter_config.json, read and checked
    std::uint64_t configBytes = 0;
    std::string folder; // a PEFT folder's: its files may not lead out of it through a symlink
};
LoraFileLocation locateLoraFile(const std::string& path);

} // namespace lora
