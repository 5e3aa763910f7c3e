#pragma once
// Prints one stderr line per epoch in the seeds' format.
#include "cli/common.h"
#include "train/progress.h"

#include <cstdio>

namespace lora::cli {

class ProgressPrinter : public ProgressObserver {
public:
    explicit ProgressPrinter(std::string label) : m_label(std::move(label)) {}
    void onEpoch(const EpochProgress& e) override {
        char line[200];
        std::snprintf(
            line, sizeof line,
            "%s epoch %d: train loss %.4f, valid loss %.4f, accuracy %.2f%%, %.0f samples/s",
            m_label.c_str(), e.epoch, e.trainLoss, e.validLoss, e.validAccuracy,
            e.samplesPerSecond);
        logLine(line);
    }

private:
    std::string m_label;
};

} // namespace lora::cli
