#include "train/experiment_settings.h"

#include "data/classes.h"
#include "nn/architecture.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace lora {

namespace {

constexpr int kImagePixels = 28 * 28; // every dataset the app loads is MNIST-shaped

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

} // namespace

const ExperimentPreset ExperimentSettings::kPresets[3] = {ExperimentPreset::Transfer,
                                                          ExperimentPreset::FixWeakDigit,
                                                          ExperimentPreset::ApproximateMatrix};

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

LoraSpec ExperimentSettings::loraSpec() const {
    LoraSpec spec;
    spec.rank = rank;
    spec.alpha = alpha;
    spec.rslora = rslora;
    spec.init = LoraInit::Kaiming;
    return spec;
}

TrainOptions ExperimentSettings::baseOptions() const {
    TrainOptions o;
    o.epochs = baseEpochs;
    o.batchSize = batchSize;
    o.learningRate = learningRate;
    o.seed = seed + 1; // shuffling draws from its own stream, as lora-cli does
    return o;
}

TrainOptions ExperimentSettings::fineTuneOptions() const {
    TrainOptions o = baseOptions();
    o.epochs = fineTuneEpochs;
    o.maxSteps = maxSteps;
    return o;
}

void ExperimentSettings::validate() const {
    const std::vector<int> widths = parseArchitecture(architecture);
    const std::string arch = formatArchitecture(widths);
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
                             " is not among the target classes " + formatClasses(targetClasses));

    loraSpec().validate(); // the core's one rank limit, whatever the GUI's slider shows
    const int layers = static_cast<int>(widths.size()) - 1;
    for (const std::string& t : targets) {
        if (layerNumber(t) < 1 || layerNumber(t) > layers)
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

    // The one budget, as the CLI and the model loader apply it: sizes the tutorials never
    // approach, checked here so that neither the GUI nor a session file can start them.
    checkModelBudget(widths, batchSize);
    std::vector<bool> targeted(widths.size() - 1, targets.empty());
    for (const std::string& t : targets) targeted[layerNumber(t) - 1] = true;
    checkAdapterBudget(widths, targeted, std::vector<int>(widths.size() - 1, rank));
}

} // namespace lora
