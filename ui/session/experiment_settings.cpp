#include "session/experiment_settings.h"

#include "io/settings_json.h"

#include <QSettings>

namespace {
// One value: the settings' JSON object as text.
const QString kKey = QStringLiteral("experiment/settings");
} // namespace

QString presetName(ExperimentPreset preset) {
    switch (preset) {
    case ExperimentPreset::FixWeakDigit:
        return QStringLiteral("Fix the weakest digit (seed 001)");
    case ExperimentPreset::ApproximateMatrix:
        return QStringLiteral("Approximate a matrix (seed 002)");
    case ExperimentPreset::Transfer:
        break;
    }
    return QStringLiteral("Transfer 3-vs-4 → 7-vs-8 (seed 000)");
}

void saveSettings(QSettings& store, const ExperimentSettings& settings) {
    store.setValue(kKey, QString::fromStdString(lora::settingsToJsonText(settings)));
}

ExperimentSettings loadSettings(QSettings& store) {
    const ExperimentSettings fallback = ExperimentSettings::forPreset(ExperimentPreset::Transfer);
    const QVariant v = store.value(kKey);
    if (!v.isValid() || !v.canConvert<QString>()) return fallback;
    return lora::settingsFromJsonTextOr(v.toString().toStdString(), fallback);
}
