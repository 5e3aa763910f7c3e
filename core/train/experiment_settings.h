#pragma once
// Every setting of one experiment as a plain value: the GUI's controls dock edits it, the
// session hands copies to the training worker, and the one JSON schema of io/settings_json.h
// stores it in preferences, session files and files the CLI reads (--settings).
#include "nn/lora_linear.h"
#include "train/trainer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lora {

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
    int rank = 4;                 // 1…64 on the GUI's slider; LoraSpec::validate bounds it
    float alpha = 1.0f;           // 0.5…64 on the GUI's slider
    bool rslora = false;
    std::vector<std::string> targets{"fc1", "fc2"}; // empty = every layer
    float learningRate = 0.01f;
    int baseEpochs = 1;
    int fineTuneEpochs = 5;
    long maxSteps = -1; // fine-tuning batches in total (seed 001: 100); -1 = no limit
    int batchSize = 64;
    std::uint64_t seed = 0;

    static ExperimentSettings forPreset(ExperimentPreset preset);
    static const char* presetKey(ExperimentPreset preset); // "Transfer": stored in files
    static const ExperimentPreset kPresets[3];

    LoraSpec loraSpec() const;                         // rank, α, rsLoRA (Kaiming init)
    TrainOptions baseOptions() const;                  // baseEpochs
    TrainOptions fineTuneOptions() const;              // fineTuneEpochs, maxSteps
    float scale() const { return loraSpec().scale(); } // α/r or α/√r

    // Throws InputError naming the first bad value (classes vs outputs, targets…).
    void validate() const;

    bool operator==(const ExperimentSettings&) const = default;
};

} // namespace lora
