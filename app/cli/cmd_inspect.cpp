// lora-cli inspect: a real LoRA file (PEFT, kohya, diffusers, LyCORIS) read without its base,
// every module's ΔW described by its spectrum.
#include "cli/common.h"
#include "io/json_limits.h"
#include "linalg/lora_inspection.h"

#include <algorithm>

namespace lora::cli {

namespace {

constexpr std::size_t kListedValues = 64;

// The header's strings; kohya's ss_* values that hold JSON (ss_tag_frequency, ss_network_args,
// ss_datasets …) parsed, so that a reader gets objects rather than quoted text.
Json metadataJson(const std::map<std::string, std::string>& metadata) {
    Json out = Json::object();
    for (const auto& [key, value] : metadata) {
        out[key] = value;
        if (!key.starts_with("ss_") || value.empty() || (value[0] != '{' && value[0] != '['))
            continue;
        try {
            const auto* text = reinterpret_cast<const std::uint8_t*>(value.data());
            checkJsonText(text, text + value.size(), JsonLimits{}, key, "metadata value");
            out[key] = Json::parse(value);
        } catch (const std::exception&) {
            // Not JSON after all: kept as the string it is.
        }
    }
    return out;
}

Json moduleJson(const ModuleReport& report) {
    const LoraModule& m = report.module;
    Json j = {{"name", m.name},   {"type", toString(m.kind)}, {"shape", m.shape},  {"rank", m.rank},
              {"alpha", m.alpha}, {"scale", m.scale},         {"params", m.params}};
    const ModuleSpectrum& s = report.spectrum;
    if (s.available) {
        const std::size_t n = std::min(kListedValues, s.singularValues.size());
        j["delta_norm"] = s.deltaNorm;
        j["singular_values"] =
            std::vector<double>(s.singularValues.begin(), s.singularValues.begin() + n);
        j["effective_rank"] = s.effectiveRank;
        j["rank_for_energy"] = {{"0.9", s.rankForEnergy(0.9)}, {"0.99", s.rankForEnergy(0.99)}};
    } else {
        j["delta_norm"] = nullptr;
        j["singular_values"] = nullptr;
        j["effective_rank"] = nullptr;
        j["rank_for_energy"] = nullptr;
    }
    if (!m.note.empty()) j["note"] = m.note;
    return j;
}

} // namespace

int runInspect(const Args& args) {
    const std::string path = args.required("path");
    const LoraReport file = inspectLoraFile(path);
    Json modules = Json::array();
    for (const ModuleReport& m : file.modules) modules.push_back(moduleJson(m));
    logLine(std::string(toString(file.format)) + ": " + std::to_string(file.modules.size()) +
            " modules, " + std::to_string(file.params) + " values");
    printResult({{"command", "inspect"},
                 {"path", path},
                 {"format", toString(file.format)},
                 {"metadata", metadataJson(file.metadata)},
                 {"base_model", file.baseModel.empty() ? Json() : Json(file.baseModel)},
                 {"params", file.params},
                 {"bytes", file.bytes},
                 {"modules", modules}});
    return 0;
}

} // namespace lora::cli
