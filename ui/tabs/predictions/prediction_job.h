#pragma once
// The Predictions tab's work off the GUI thread: one model and the base evaluated on the
// chosen task's test split, and the digits the grid shows in the chosen order.
#include "session/run_types.h"
#include "train/evaluate.h"

#include <QString>
#include <QtGlobal>
#include <memory>
#include <mutex>
#include <vector>

// Which test digits fill the grid.
enum class SampleOrder {
    Spread,         // evenly spaced over the split: the same digits for every model
    MistakesOnly,   // the model's wrong predictions, in split order
    LeastConfident, // lowest top softmax probability first
};

// What stays the same from one request to the next while a slider moves the adapter: the
// task's test split and the base's evaluation on it. A live α or r′ tick then costs one
// evaluation (the adapted model's), not a copy of the split and a second pass for the base.
class PredictionCache {
public:
    std::shared_ptr<const lora::Dataset> split(const DataPtr& data,
                                               const std::vector<int>& classes);
    lora::Evaluation baseEvaluation(const ModelPtr& base, const DataPtr& data,
                                    const std::vector<int>& classes);

private:
    std::mutex m_mutex; // requests may overlap: one still running while the next starts
    DataPtr m_splitData;
    std::vector<int> m_splitClasses;
    std::shared_ptr<const lora::Dataset> m_split;
    ModelPtr m_base; // held, so that a new snapshot can never reuse its address
    DataPtr m_baseData;
    std::vector<int> m_baseClasses;
    lora::Evaluation m_baseEvaluation;
};

struct PredictionRequest {
    quint64 generation = 0;
    ModelPtr model;          // null: digits only
    ModelPtr base;           // the "before" of before → after; may be null or equal `model`
    bool mergeModel = false; // evaluate W + s·BA as one plain matrix per layer
    DataPtr data;
    std::vector<int> classes; // the task's real digits
    SampleOrder order = SampleOrder::Spread;
    int shown = 32;                         // grid cells at most
    std::shared_ptr<PredictionCache> cache; // may be null: everything computed afresh
};

struct PredictionResult {
    quint64 generation = 0;
    QString error; // one line, when the evaluation threw
    bool evaluated = false;
    lora::Evaluation evaluation; // of the model
    bool baseEvaluated = false;
    lora::Evaluation baseEvaluation;
    std::vector<int> rows;                        // split rows shown, in grid order
    std::vector<float> confidence;                // [rows] top softmax probability
    lora::Matrix sampleImages;                    // [rows, 784]
    std::vector<int> sampleTrue, samplePredicted; // real digits
};

// Runs on a background thread; an exception becomes `error`.
PredictionResult computePredictions(const PredictionRequest& request);
