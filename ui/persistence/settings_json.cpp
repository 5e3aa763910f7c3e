#include "persistence/settings_json.h"

#include "data/classes.h"
#include "nn/architecture.h"
#include "util/error.h"

#include <QJsonArray>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

using lora::InputError;

namespace {

std::string describe(const QJsonValue& v) {
    switch (v.type()) {
    case QJsonValue::Undefined:
        return "missing";
    case QJsonValue::Null:
        return "null";
    case QJsonValue::Bool:
        return v.toBool() ? "true" : "false";
    case QJsonValue::Double:
        return QString::number(v.toDouble(), 'g', 9).toStdString();
    case QJsonValue::String:
        return "\"" + v.toString().left(40).toStdString() + "\"";
    case QJsonValue::Array:
        return "an array";
    case QJsonValue::Object:
        return "an object";
    }
    return "unknown";
}

[[noreturn]] void refuse(const char* key, const char* expected, const QJsonValue& v) {
    throw InputError(std::string("settings.") + key + " must be " + expected + ", not " +
                     describe(v));
}

long long wholeNumber(const QJsonObject& o, const char* key, long long lo, const char* expected) {
    const QJsonValue v = o.value(QLatin1String(key));
    const double d = v.toDouble(std::numeric_limits<double>::quiet_NaN());
    if (!v.isDouble() || d != std::floor(d) || d < static_cast<double>(lo) || d > 9.0e15)
        refuse(key, expected, v);
    return static_cast<long long>(d);
}

float positiveNumber(const QJsonObject& o, const char* key) {
    const QJsonValue v = o.value(QLatin1String(key));
    const double d = v.toDouble(-1);
    if (!v.isDouble() || !(d > 0) || !std::isfinite(static_cast<float>(d)))
        refuse(key, "a positive number", v);
    return static_cast<float>(d);
}

QString string(const QJsonObject& o, const char* key) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isString()) refuse(key, "a string", v);
    return v.toString();
}

std::vector<int> digits(const QJsonObject& o, const char* key) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isArray()) refuse(key, "an array of digits", v);
    std::vector<int> out;
    for (const QJsonValue& d : v.toArray()) {
        if (!d.isDouble() || d.toDouble() != std::floor(d.toDouble()) || d.toDouble() < 0 ||
            d.toDouble() > 9)
            refuse(key, "an array of digits 0-9", d);
        out.push_back(d.toInt());
    }
    return out;
}

QJsonArray digitArray(const std::vector<int>& values) {
    QJsonArray a;
    for (int v : values) a.append(v);
    return a;
}

} // namespace

double shortestDouble(float value) {
    if (!std::isfinite(value)) return value;
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text - 1, value).ptr;
    *end = '\0';
    return std::strtod(text, nullptr);
}

QJsonObject settingsToJson(const ExperimentSettings& s) {
    QJsonArray targets;
    for (const std::string& t : s.targets) targets.append(QString::fromStdString(t));
    return QJsonObject{
        {"preset", QString::fromLatin1(ExperimentSettings::presetKey(s.preset))},
        {"architecture", QString::fromStdString(s.architecture)},
        {"base_classes", digitArray(s.baseClasses)},
        {"target_classes", digitArray(s.targetClasses)},
        {"train_digits", digitArray(s.trainDigits)},
        {"rank", s.rank},
        {"alpha", shortestDouble(s.alpha)},
        {"use_rslora", s.rslora},
        {"target_modules", targets},
        {"learning_rate", shortestDouble(s.learningRate)},
        {"base_epochs", s.baseEpochs},
        {"fine_tune_epochs", s.fineTuneEpochs},
        {"max_steps", static_cast<double>(s.maxSteps)},
        {"batch_size", s.batchSize},
        // A string: JSON numbers are doubles and would round seeds above 2^53.
        {"seed", QString::number(s.seed)},
    };
}

ExperimentSettings settingsFromJson(const QJsonObject& o) {
    ExperimentSettings s;
    const QString preset = string(o, "preset");
    bool known = false;
    for (auto p : {ExperimentPreset::Transfer, ExperimentPreset::FixWeakDigit,
                   ExperimentPreset::ApproximateMatrix})
        if (preset == QLatin1String(ExperimentSettings::presetKey(p))) {
            s.preset = p;
            known = true;
        }
    if (!known) refuse("preset", "Transfer, FixWeakDigit or ApproximateMatrix", preset);
    // parseArchitecture names what is wrong with the string itself.
    s.architecture =
        lora::formatArchitecture(lora::parseArchitecture(string(o, "architecture").toStdString()));
    s.baseClasses = digits(o, "base_classes");
    s.targetClasses = digits(o, "target_classes");
    s.trainDigits = digits(o, "train_digits");
    s.rank = static_cast<int>(wholeNumber(o, "rank", 1, "a whole number ≥ 1"));
    s.alpha = positiveNumber(o, "alpha");
    const QJsonValue rslora = o.value(QLatin1String("use_rslora"));
    if (!rslora.isBool()) refuse("use_rslora", "true or false", rslora);
    s.rslora = rslora.toBool();
    const QJsonValue targets = o.value(QLatin1String("target_modules"));
    if (!targets.isArray()) refuse("target_modules", "an array of layer names", targets);
    s.targets.clear();
    for (const QJsonValue& t : targets.toArray()) {
        if (!t.isString()) refuse("target_modules", "an array of layer names", t);
        s.targets.push_back(t.toString().toStdString());
    }
    s.learningRate = positiveNumber(o, "learning_rate");
    s.baseEpochs = static_cast<int>(wholeNumber(o, "base_epochs", 1, "a whole number ≥ 1"));
    s.fineTuneEpochs =
        static_cast<int>(wholeNumber(o, "fine_tune_epochs", 1, "a whole number ≥ 1"));
    s.maxSteps = static_cast<long>(
        wholeNumber(o, "max_steps", -1, "a whole number ≥ 1, or -1 for no limit"));
    if (s.maxSteps == 0) refuse("max_steps", "a whole number ≥ 1, or -1 for no limit", 0);
    s.batchSize = static_cast<int>(wholeNumber(o, "batch_size", 1, "a whole number ≥ 1"));
    const QString seed = string(o, "seed");
    bool ok = false;
    s.seed = seed.toULongLong(&ok);
    if (!ok) refuse("seed", "a whole number ≥ 0 in a string", seed);
    s.validate();
    return s;
}
