#pragma once
// In-memory image-classification data: one normalised row of `features` floats per
// sample, and an integer label per sample.
#include "nn/tensor.h"

#include <cstdint>
#include <vector>

namespace lora {

// The normalisation the seed tutorials use: (x/255 - mean) / std.
inline constexpr float kMnistMean = 0.1307f;
inline constexpr float kMnistStd = 0.3081f;

struct Dataset {
    Matrix images;           // [n, features], normalised
    std::vector<int> labels; // [n]
    int numClasses = 10;     // label range is [0, numClasses)

    int size() const { return static_cast<int>(labels.size()); }
    int features() const { return static_cast<int>(images.cols()); }
};

// Raw bytes as stored in IDX files: [n, rows*cols] pixels and [n] labels.
struct RawImages {
    int count = 0, rows = 0, cols = 0;
    std::vector<std::uint8_t> pixels; // count * rows * cols
    std::vector<std::uint8_t> labels; // count
};

// pixels -> (p/255 - mean)/std, labels kept as they are (numClasses = 10).
Dataset normalise(const RawImages& raw);

// Keep samples whose label is in `classes`, relabelled by position in the list
// (seed 000: {3,4} -> 3 becomes 0, 4 becomes 1); numClasses = classes.size().
Dataset filterClassesRemap(const Dataset& data, const std::vector<int>& classes);

// Keep samples whose label is in `digits`, labels and numClasses unchanged
// (seed 001: fine-tune a 10-way model on 9s only).
Dataset filterKeepLabels(const Dataset& data, const std::vector<int>& digits);

} // namespace lora
