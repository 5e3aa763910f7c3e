#pragma once
// ExperimentSettings as the "settings" object of a session file, in the one schema of
// io/settings_json.h. Unlike the remembered settings, whose stray values fall back quietly,
// a session is something a person sends on purpose: a missing or malformed value is refused
// with a message naming the key.
#include "io/settings_json.h"
#include "session/experiment_settings.h"

#include <QJsonObject>

using lora::shortestDouble; // the other JSON writers of a session share it

QJsonObject settingsToJson(const ExperimentSettings& settings);
// Throws lora::InputError "settings.rank must be a whole number ≥ 1, not …", or validate()'s.
ExperimentSettings settingsFromJson(const QJsonObject& json);
