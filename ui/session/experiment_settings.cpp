#include "session/experiment_settings.h"

#include "data/classes.h"
#include "nn/architecture.h"
#include "util/error.h"

#include <QSettings>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <optional>

using lora::InputError;

namespace {

constexpr int kImagePixels = 28 * 28; // every dataset the app loads is MNIST-shaped

} // namespace

const char* ExperimentSettings::presetKey(ExperimentPreset preset) {
    switch (preset) {
    case ExperimentPreset::FixWeakDigit:
        return "FixWeakDigit";
    case ExperimentPreset::ApproximateMatrix:
        return "ApproximateMatrix";
    case ExperimentPreset::Transfer:
        break;
    }
    return "Transfer";
}

namespace {

QString joinList(const std::vector<int>& values) {
    return QString::fromStdString(lora::formatClasses(values));
}

QString joinNames(const std::vector<std::string>& names) {
    QStringList list;
    for (const std::string& n : names) list << QString::fromStdString(n);
    return list.join(',');
}

// Digits of a class list: in 0..9, each once, at least one.
void checkDigits(const std::vector<int>& digits, const std::string& control) {
    if (digits.empty()) throw InputError(control + " are empty (choose at least one digit)");
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (digits[i] < 0 || digits[i] > 9)
            throw InputError(control + ": " + std::to_string(digits[i]) + " is not a digit 0-9");
        if (std::find(digits.begin(), digits.begin() + i, digits[i]) != digits.begin() + i)
            throw InputError(control + ": digit " + std::to_string(digits[i]) + " is listed twice");
    }
}

// "fc<N>" with N ≥ 1; anything else could never name a layer.
bool isLayerName(const QString& name) {
    if (!name.startsWith(QLatin1String("fc")) || name.size() < 3) return false;
    bool ok = false;
    const int n = name.mid(2).toInt(&ok);
    return ok && n >= 1 && name.mid(2) == QString::number(n);
}

// Each reader returns nullopt for a missing or malformed value, so load() keeps the
// preset's value for that key alone.
std::optional<QString> text(QSettings& s, const QString& key) {
    const QVariant v = s.value(QStringLiteral("experiment/") + key);
    if (!v.isValid() || !v.canConvert<QString>()) return std::nullopt;
    return v.toString().trimmed();
}

std::optional<long long> integer(QSettings& s, const QString& key, long long lo, long long hi) {
    const auto t = text(s, key);
    if (!t) return std::nullopt;
    bool ok = false;
    const long long v = t->toLongLong(&ok);
    if (!ok || v < lo || v > hi) return std::nullopt;
    return v;
}

std::optional<float> positive(QSettings& s, const QString& key) {
    const auto t = text(s, key);
    if (!t) return std::nullopt;
    bool ok = false;
    const float v = t->toFloat(&ok);
    if (!ok || !std::isfinite(v) || !(v > 0.0f)) return std::nullopt;
    return v;
}

std::optional<std::vector<int>> digits(QSettings& s, const QString& key, bool allowEmpty) {
    const auto t = text(s, key);
    if (!t) return std::nullopt;
    if (t->isEmpty()) return allowEmpty ? std::optional(std::vector<int>{}) : std::nullopt;
    try {
        return lora::parseClasses(t->toStdString());
    } catch (const InputError&) {
        return std::nullopt;
    }
}

} // namespace

ExperimentSettings ExperimentSettings::forPreset(ExperimentPreset preset) {
    // The member defaults are the Transfer preset. "seed 00N" names the tutorial; every
    // tutorial draws from RNG seed 0.
    ExperimentSettings s;
    s.preset = preset;
    switch (preset) {
    case ExperimentPreset::Transfer:
        break;
    case ExperimentPreset::FixWeakDigit:
        s.architecture = "784-1000-2000-10";
        s.baseClasses = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        s.targetClasses = s.baseClasses;
        s.trainDigits = {9};
        s.rank = 1;
        s.alpha = 1.0f;
        s.targets.clear();
        s.learningRate = 0.001f;
        s.baseEpochs = 1;
        s.fineTuneEpochs = 1;
        s.maxSteps = 100;
        s.batchSize = 10;
        break;
    case ExperimentPreset::ApproximateMatrix:
        // This preset mostly drives the SVD panel; the network half stays seed 000's.
        s.rank = 2;
        break;
    }
    return s;
}

QString ExperimentSettings::presetName(ExperimentPreset preset) {
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

lora::LoraSpec ExperimentSettings::loraSpec() const {
    lora::LoraSpec spec;
    spec.rank = rank;
    spec.alpha = alpha;
    spec.rslora = rslora;
    spec.init = lora::LoraInit::Kaiming;
    return spec;
}

lora::TrainOptions ExperimentSettings::baseOptions() const {
    lora::TrainOptions o;
    o.epochs = baseEpochs;
    o.batchSize = batchSize;
    o.learningRate = learningRate;
    o.seed = seed + 1; // shuffling draws from its own stream, as lora-cli does
    return o;
}

lora::TrainOptions ExperimentSettings::fineTuneOptions() const {
    lora::TrainOptions o = baseOptions();
    o.epochs = fineTuneEpochs;
    o.maxSteps = maxSteps;
    return o;
}

void ExperimentSettings::validate() const {
    const std::vector<int> widths = lora::parseArchitecture(architecture);
    const std::string arch = lora::formatArchitecture(widths);
    if (widths.front() != kImagePixels)
        throw InputError("architecture " + arch + " takes " + std::to_string(widths.front()) +
                         " inputs but images have " + std::to_string(kImagePixels) + " pixels");
    const int outputs = widths.back();

    checkDigits(baseClasses, "base classes");
    if (static_cast<int>(baseClasses.size()) != outputs)
        throw InputError("base classes: " + std::to_string(baseClasses.size()) +
                         " digits chosen but architecture " + arch + " has " +
                         std::to_string(outputs) + " outputs");
    checkDigits(targetClasses, "target classes");
    if (static_cast<int>(targetClasses.size()) != outputs)
        throw InputError("target classes: " + std::to_string(targetClasses.size()) +
                         " digits chosen but architecture " + arch + " has " +
                         std::to_string(outputs) + " outputs");
    if (!trainDigits.empty()) checkDigits(trainDigits, "train digits");
    for (int d : trainDigits)
        if (std::find(targetClasses.begin(), targetClasses.end(), d) == targetClasses.end())
            throw InputError("train digit " + std::to_string(d) +
                             " is not among the target classes " +
                             lora::formatClasses(targetClasses));

    loraSpec().validate(); // the core's one rank limit, whatever the slider shows
    const int layers = static_cast<int>(widths.size()) - 1;
    for (const std::string& t : targets) {
        const QString name = QString::fromStdString(t);
        if (!isLayerName(name) || name.mid(2).toInt() > layers)
            throw InputError("target layer '" + t + "' does not exist in " + arch +
                             " (layers fc1-fc" + std::to_string(layers) + ")");
    }

    if (!std::isfinite(learningRate) || !(learningRate > 0.0f))
        throw InputError("learning rate must be a positive number");
    if (baseEpochs < 1) throw InputError("base epochs must be at least 1");
    if (fineTuneEpochs < 1) throw InputError("fine-tune epochs must be at least 1");
    if (maxSteps == 0 || maxSteps < -1)
        throw InputError("max steps must be at least 1 (or -1 for no limit)");
    if (batchSize < 1) throw InputError("batch size must be at least 1");
}

void ExperimentSettings::save(QSettings& s) const {
    s.beginGroup(QStringLiteral("experiment"));
    s.setValue(QStringLiteral("preset"), QString::fromLatin1(presetKey(preset)));
    s.setValue(QStringLiteral("architecture"), QString::fromStdString(architecture));
    s.setValue(QStringLiteral("baseClasses"), joinList(baseClasses));
    s.setValue(QStringLiteral("targetClasses"), joinList(targetClasses));
    s.setValue(QStringLiteral("trainDigits"), joinList(trainDigits));
    s.setValue(QStringLiteral("rank"), QString::number(rank));
    s.setValue(QStringLiteral("alpha"), QString::number(alpha, 'g', 9));
    s.setValue(QStringLiteral("rslora"), rslora ? QStringLiteral("true") : QStringLiteral("false"));
    s.setValue(QStringLiteral("targets"), joinNames(targets));
    s.setValue(QStringLiteral("learningRate"), QString::number(learningRate, 'g', 9));
    s.setValue(QStringLiteral("baseEpochs"), QString::number(baseEpochs));
    s.setValue(QStringLiteral("fineTuneEpochs"), QString::number(fineTuneEpochs));
    s.setValue(QStringLiteral("maxSteps"), QString::number(maxSteps));
    s.setValue(QStringLiteral("batchSize"), QString::number(batchSize));
    s.setValue(QStringLiteral("seed"), QString::number(seed));
    s.endGroup();
}

ExperimentSettings ExperimentSettings::load(QSettings& s) {
    const ExperimentSettings fallback = forPreset(ExperimentPreset::Transfer);
    ExperimentSettings r = fallback;
    constexpr long long kMaxInt = 1 << 30;

    if (const auto t = text(s, QStringLiteral("preset")))
        for (auto p : {ExperimentPreset::Transfer, ExperimentPreset::FixWeakDigit,
                       ExperimentPreset::ApproximateMatrix})
            if (*t == QLatin1String(presetKey(p))) r.preset = p;
    if (const auto t = text(s, QStringLiteral("architecture"))) {
        try {
            r.architecture = lora::formatArchitecture(lora::parseArchitecture(t->toStdString()));
        } catch (const InputError&) {
        }
    }
    if (auto d = digits(s, QStringLiteral("baseClasses"), false)) r.baseClasses = *d;
    if (auto d = digits(s, QStringLiteral("targetClasses"), false)) r.targetClasses = *d;
    if (auto d = digits(s, QStringLiteral("trainDigits"), true)) r.trainDigits = *d;
    if (auto v = integer(s, QStringLiteral("rank"), 1, kMaxInt)) r.rank = static_cast<int>(*v);
    if (auto v = positive(s, QStringLiteral("alpha"))) r.alpha = *v;
    if (const auto t = text(s, QStringLiteral("rslora"))) {
        if (*t == QLatin1String("true") || *t == QLatin1String("1")) r.rslora = true;
        if (*t == QLatin1String("false") || *t == QLatin1String("0")) r.rslora = false;
    }
    if (const auto t = text(s, QStringLiteral("targets"))) {
        std::vector<std::string> names;
        bool ok = true;
        if (!t->isEmpty())
            for (const QString& part : t->split(',')) {
                ok = ok && isLayerName(part.trimmed());
                names.push_back(part.trimmed().toStdString());
            }
        if (ok) r.targets = names;
    }
    if (auto v = positive(s, QStringLiteral("learningRate"))) r.learningRate = *v;
    if (auto v = integer(s, QStringLiteral("baseEpochs"), 1, kMaxInt)) r.baseEpochs = int(*v);
    if (auto v = integer(s, QStringLiteral("fineTuneEpochs"), 1, kMaxInt))
        r.fineTuneEpochs = int(*v);
    if (auto v = integer(s, QStringLiteral("maxSteps"), -1, 1LL << 40); v && *v != 0)
        r.maxSteps = static_cast<long>(*v);
    if (auto v = integer(s, QStringLiteral("batchSize"), 1, kMaxInt)) r.batchSize = int(*v);
    if (const auto t = text(s, QStringLiteral("seed"))) {
        bool ok = false;
        const qulonglong v = t->toULongLong(&ok);
        if (ok) r.seed = v;
    }

    // Keys that are each fine can still disagree (a 10-output architecture next to a
    // fallback of two classes); starting from a whole preset beats refusing to start.
    try {
        r.validate();
    } catch (const InputError&) {
        return fallback;
    }
    return r;
}
