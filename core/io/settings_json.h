#pragma once
// The one JSON schema of ExperimentSettings: the "settings" object of a session file, the
// GUI's remembered settings, and what `lora-cli … --settings FILE` reads. Keys follow PEFT
// where PEFT has the concept (use_rslora, target_modules), else snake_case:
//   {"preset": "Transfer", "architecture": "784-64-2", "base_classes": [3, 4],
//    "target_classes": [7, 8], "train_digits": [], "rank": 4, "alpha": 1,
//    "use_rslora": false, "target_modules": ["fc1", "fc2"], "learning_rate": 0.01,
//    "base_epochs": 1, "fine_tune_epochs": 5, "max_steps": -1, "batch_size": 64,
//    "seed": "0"}
// The seed is a string: JSON numbers are doubles and would round seeds above 2^53.
#include "train/experiment_settings.h"

#include <string>
#include <vector>

namespace lora {

// The keys above, in that order.
const std::vector<std::string>& settingsKeys();

// One JSON object as text; floats are written in their shortest decimal form (0.01, not
// 0.009999999776482582), so they read back to the same float.
std::string settingsToJsonText(const ExperimentSettings& settings);

// Strict, for files a person sends on purpose: every key must be there and well-formed;
// throws InputError "settings.rank must be a whole number ≥ 1, not \"4\"" or validate()'s.
// `text` is one JSON object, at most kMaxSettingsTextBytes long.
ExperimentSettings settingsFromJsonText(const std::string& text);

// Lenient, for remembered preferences: a key missing or malformed keeps `fallback`'s value
// for that key alone; a combination that fails validate() gives `fallback` whole.
ExperimentSettings settingsFromJsonTextOr(const std::string& text,
                                          const ExperimentSettings& fallback);

// Reads --settings FILE: a settings object, or a session.json whose "settings" it takes.
ExperimentSettings readSettingsFile(const std::string& path);

// The double whose shortest decimal form is the float's own (0.01f → 0.01).
double shortestDouble(float value);

inline constexpr std::size_t kMaxSettingsTextBytes = 1 << 20;

} // namespace lora
