#pragma once
// The Predictions tab's work off the GUI thread: one model and the base evaluated on the
// chosen task's test split, and the digits the grid shows in the chosen order.
#include "session/evaluation_cache.h"
#include "session/run_types.h"
#include "train/evaluate.h"

#include <QString>
#include <QtGlobal>
#include <functional>
#include <memory>
#include <vector>

// Which test digits fill the grid.
enum class SampleOrder {
    Spread,         // evenly spaced over the split: the same digits for every model
    MistakesOnly,   // the model's wrong predictions, in split order
    LeastConfident, // lowest top softmax probability first
};

struct PredictionRequest {
    quint64 generation = 0;
    ModelPtr model;          // null: digits only
    ModelPtr base;           // the "before" of before → after; may be null or equal `model`
    bool mergeModel = false; // evaluate W + s·BA as one plain matrix per layer
    DataPtr data;
    std::vector<int> classes; // the task's real digits
    SampleOrder order = SampleOrder::Spread;
    int shown = 32; // grid cells at most
    // Shared with the live adapter box: a slider tick's view is evaluated once for both, and
    // the base's evaluation is kept from tick to tick. Required.
    std::shared_ptr<EvaluationCache> cache;
};

struct PredictionResult {
    quint64 generation = 0;
    // Only the grid's digits and their predictions, sent ahead of the full evaluation so that
    // a slider tick on a wide network shows on the grid before the whole split is scored.
    bool preview = false;
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

// Runs on a background thread; an exception becomes `error`. In the evenly spaced order,
// when the model's evaluation is not cached yet, `preview` first receives the grid's
// predictions alone (an error there is left to the full pass).
PredictionResult computePredictions(const PredictionRequest& request,
                                    const std::function<void(PredictionResult)>& preview = {});
