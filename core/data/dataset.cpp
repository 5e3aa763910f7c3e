#include "data/dataset.h"

#include "util/error.h"

#include <array>
#include <string>

namespace lora {
namespace {

std::string classRange(int numClasses) {
    return numClasses == 10 ? "digits are 0-9" : "classes are 0-" + std::to_string(numClasses - 1);
}

// classes -> table[label] = position in `classes`, or -1 for labels to drop.
std::vector<int> positionTable(const std::vector<int>& classes, int numClasses) {
    if (classes.empty()) throw InputError("class list is empty");
    std::vector<int> table(std::size_t(numClasses), -1);
    for (std::size_t i = 0; i < classes.size(); ++i) {
        const int c = classes[i];
        if (c < 0 || c >= numClasses)
            throw InputError("class " + std::to_string(c) + " does not exist (" +
                             classRange(numClasses) + ")");
        if (table[std::size_t(c)] >= 0)
            throw InputError("class " + std::to_string(c) + " is listed twice");
        table[std::size_t(c)] = int(i);
    }
    return table;
}

// Copies the rows whose table entry is >= 0; `remap` chooses the new label.
Dataset gather(const Dataset& data, const std::vector<int>& table, bool remap) {
    std::vector<int> keep;
    for (int i = 0; i < data.size(); ++i) {
        const int label = data.labels[std::size_t(i)];
        if (label >= 0 && label < int(table.size()) && table[std::size_t(label)] >= 0)
            keep.push_back(i);
    }

    Dataset out;
    out.images.resize(Eigen::Index(keep.size()), data.images.cols());
    out.labels.reserve(keep.size());
    for (std::size_t r = 0; r < keep.size(); ++r) {
        out.images.row(Eigen::Index(r)) = data.images.row(keep[r]);
        const int label = data.labels[std::size_t(keep[r])];
        out.labels.push_back(remap ? table[std::size_t(label)] : label);
    }
    return out;
}

} // namespace

// raw [count, rows*cols] bytes -> images [count, rows*cols] floats.
Dataset normalise(const RawImages& raw) {
    const std::size_t features = std::size_t(raw.rows) * std::size_t(raw.cols);
    if (raw.pixels.size() != std::size_t(raw.count) * features ||
        raw.labels.size() != std::size_t(raw.count))
        throw InputError("image data is inconsistent: " + std::to_string(raw.count) + " images, " +
                         std::to_string(raw.pixels.size()) + " pixels, " +
                         std::to_string(raw.labels.size()) + " labels");
    // One division per byte value instead of per pixel, and identical results everywhere.
    std::array<float, 256> lut;
    for (int p = 0; p < 256; ++p)
        lut[std::size_t(p)] = (float(p) / 255.0f - kMnistMean) / kMnistStd;

    Dataset data;
    data.images.resize(raw.count, Eigen::Index(features));
    float* out = data.images.data();
    for (std::size_t i = 0; i < raw.pixels.size(); ++i) out[i] = lut[raw.pixels[i]];
    data.labels.reserve(raw.labels.size());
    for (std::size_t i = 0; i < raw.labels.size(); ++i) {
        if (raw.labels[i] > 9)
            throw InputError("label " + std::to_string(raw.labels[i]) + " at index " +
                             std::to_string(i) + " is not a digit 0-9");
        data.labels.push_back(raw.labels[i]);
    }
    data.numClasses = 10;
    return data;
}

Dataset filterClassesRemap(const Dataset& data, const std::vector<int>& classes) {
    Dataset out = gather(data, positionTable(classes, data.numClasses), true);
    out.numClasses = int(classes.size());
    return out;
}

Dataset filterKeepLabels(const Dataset& data, const std::vector<int>& digits) {
    Dataset out = gather(data, positionTable(digits, data.numClasses), false);
    out.numClasses = data.numClasses;
    return out;
}

} // namespace lora
