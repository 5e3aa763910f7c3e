#include "persistence/settings_json.h"

#include <QJsonDocument>

QJsonObject settingsToJson(const ExperimentSettings& settings) {
    const std::string text = lora::settingsToJsonText(settings);
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

ExperimentSettings settingsFromJson(const QJsonObject& json) {
    return lora::settingsFromJsonText(
        QJsonDocument(json).toJson(QJsonDocument::Compact).toStdString());
}
