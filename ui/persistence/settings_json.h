#pragma once
// ExperimentSettings as the "settings" object of a session file. Unlike QSettings, whose
// stray values fall back quietly, a session is something a person sends on purpose: a
// missing or malformed value is refused with a message naming the key.
#include "session/experiment_settings.h"

#include <QJsonObject>

// The double whose shortest decimal form is the float's own (0.01f → 0.01, not
// 0.009999999776482582): session files stay readable and read back to the same float.
double shortestDouble(float value);

QJsonObject settingsToJson(const ExperimentSettings& settings);
// Throws lora::InputError "settings.rank must be a whole number ≥ 1, not …", or validate()'s.
ExperimentSettings settingsFromJson(const QJsonObject& json);
