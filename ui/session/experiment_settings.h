#pragma once
// Every control value of one experiment, as a plain value: the controls dock edits it, the
// session hands copies to the worker, QSettings persists it between launches.
#include "nn/lora_linear.h"
#include "train/trainer.h"

#include <QMetaType>
#include <QString>
#include <cstdint>
#include <string>
#include <vector>

class QSettings;

enum class ExperimentPreset {
    Transfer,          // seed 000: 784-64-2 on 3-vs-4, then LoRA to 7-vs-8
    FixWeakDigit,      // seed 001: RichBoyNet on all digits, rank-1 adapters trained on 9s
    ApproximateMatrix, // seed 002: gradient descent vs truncated SVD on an 8×8 matrix
};

struct ExperimentSettings {
    ExperimentPreset preset = ExperimentPreset::Transfer;
    std::string architecture = "784-64-2";
    std::vector<int> baseClasses{3, 4};
    std::vector<int> targetClasses{7, 8};
    std::vector<int> trainDigits; // fine-tune only on these digits (seed 001: {9}); empty = all
    int rank = 4;                 // 1…64 on the slider
    float alpha = 1.0f;           // 0.5…64 on the slider
    bool rslora = false;
    std::vector<std::string> targets{"fc1", "fc2"}; // empty = every layer
    float learningRate = 0.01f;
    int baseEpochs = 1;
    int fineTuneEpochs = 5;
    long maxSteps = -1; // fine-tuning batches in total (seed 001: 100); -1 = no limit
    int batchSize = 64;
    std::uint64_t seed = 0;

    static ExperimentSettings forPreset(ExperimentPreset preset);
    static QString presetName(ExperimentPreset preset); // "Transfer 3-vs-4 → 7-vs-8 (seed 000)"
    static const char* presetKey(ExperimentPreset preset); // "Transfer": stored in files

    lora::LoraSpec loraSpec() const;                   // rank, α, rsLoRA (Kaiming init)
    lora::TrainOptions baseOptions() const;            // baseEpochs
    lora::TrainOptions fineTuneOptions() const;        // fineTuneEpochs, maxSteps
    float scale() const { return loraSpec().scale(); } // α/r or α/√r

    // Throws lora::InputError naming the first bad value (classes vs outputs, targets…).
    void validate() const;

    void save(QSettings& settings) const;
    // Values missing or malformed in `settings` fall back to the Transfer preset's.
    static ExperimentSettings load(QSettings& settings);

    bool operator==(const ExperimentSettings&) const = default;
};

Q_DECLARE_METATYPE(ExperimentSettings)
Q_DECLARE_METATYPE(ExperimentPreset)
