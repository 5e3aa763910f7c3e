// --settings FILE: the GUI's experiment settings (io/settings_json.h's one schema) as
// defaults for train's and finetune's flags, so a run set up in the window can be repeated
// headless with the same numbers.
#include "cli/common.h"
#include "data/classes.h"
#include "io/settings_json.h"

#include <charconv>

namespace lora::cli {

namespace {

std::string shortest(float value) {
    char text[32];
    return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (const std::string& n : names) s += (s.empty() ? "" : ",") + n;
    return s;
}

} // namespace

Args withSettingsDefaults(const Args& given, SettingsRole role) {
    if (!given.has("settings")) return given;
    const ExperimentSettings s = readSettingsFile(given.required("settings"));
    Args args = given;
    const bool base = role == SettingsRole::Base;
    if (base) args.setDefault("arch", s.architecture);
    args.setDefault("classes", formatClasses(base ? s.baseClasses : s.targetClasses));
    args.setDefault("epochs", std::to_string(base ? s.baseEpochs : s.fineTuneEpochs));
    args.setDefault("lr", shortest(s.learningRate));
    args.setDefault("batch", std::to_string(s.batchSize));
    args.setDefault("seed", std::to_string(s.seed));
    if (base) return args;
    if (!s.trainDigits.empty()) args.setDefault("train-digits", formatClasses(s.trainDigits));
    if (s.maxSteps > 0) args.setDefault("max-steps", std::to_string(s.maxSteps));
    args.setDefault("rank", std::to_string(s.rank));
    args.setDefault("alpha", shortest(s.alpha));
    if (s.rslora) args.setDefault("rslora", "");
    if (!s.targets.empty()) args.setDefault("targets", joined(s.targets)); // empty: every layer
    return args;
}

} // namespace lora::cli
