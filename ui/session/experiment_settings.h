#pragma once
// The GUI's face of lora::ExperimentSettings (train/experiment_settings.h, shared with the
// CLI): display names for the presets, Qt metatypes for queued signals, and the settings
// remembered between launches in QSettings — as the same JSON object a session file holds
// (io/settings_json.h), so there is one schema.
#include "train/experiment_settings.h"

#include <QMetaType>
#include <QString>

class QSettings;

using ExperimentSettings = lora::ExperimentSettings;
using ExperimentPreset = lora::ExperimentPreset;

QString presetName(ExperimentPreset preset); // "Transfer 3-vs-4 → 7-vs-8 (seed 000)"

void saveSettings(QSettings& store, const ExperimentSettings& settings);
// A key missing or malformed in `store` keeps the Transfer preset's value for that key; a
// combination that does not validate gives the Transfer preset whole.
ExperimentSettings loadSettings(QSettings& store);

Q_DECLARE_METATYPE(ExperimentSettings)
Q_DECLARE_METATYPE(ExperimentPreset)
