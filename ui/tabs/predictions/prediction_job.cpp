#include "tabs/predictions/prediction_job.h"

#include "data/dataset.h"
#include "train/prediction_stats.h"
#include "util/error.h"

#include <algorithm>

namespace {

// Evenly spaced over the split, so both classes appear and the choice depends only on the
// data: toggling LoRA changes labels, never which digits are shown.
std::vector<int> spreadRows(int n, int shown) {
    shown = std::min(shown, n);
    std::vector<int> rows(shown);
    for (int k = 0; k < shown; ++k) rows[k] = static_cast<int>(static_cast<long>(k) * n / shown);
    return rows;
}

void evaluateModels(const PredictionRequest& request, PredictionResult& result) {
    EvaluationCache& cache = *request.cache;
    if (request.model) {
        result.evaluation =
            *cache.evaluation(request.model, request.mergeModel, request.data, request.classes);
        result.evaluated = true;
    }
    if (!request.base) return;
    result.baseEvaluation = *cache.evaluation(request.base, false, request.data, request.classes);
    result.baseEvaluation.logits.resize(0, 0);
    result.baseEvaluated = true;
}

// The split rows' images and real digits into `result`, in grid order.
void fillSamples(const PredictionRequest& request, const lora::Dataset& split,
                 PredictionResult& result) {
    const int shown = static_cast<int>(result.rows.size());
    result.sampleImages.resize(shown, split.features());
    for (int k = 0; k < shown; ++k) {
        const int row = result.rows[k];
        result.sampleImages.row(k) = split.images.row(row);
        result.sampleTrue.push_back(request.classes[split.labels[row]]);
    }
}

void sendPreview(const PredictionRequest& request, const lora::Dataset& split,
                 const std::function<void(PredictionResult)>& preview) {
    if (!preview || !request.model || request.mergeModel || request.order != SampleOrder::Spread ||
        request.cache->has(request.model, false, request.data, request.classes))
        return;
    PredictionResult quick;
    quick.generation = request.generation;
    quick.preview = true;
    quick.rows = spreadRows(split.size(), request.shown);
    fillSamples(request, split, quick);
    try {
        for (int p : lora::predictRows(*request.model, quick.sampleImages))
            quick.samplePredicted.push_back(request.classes[p]);
    } catch (const std::exception&) {
        return; // the full pass reports it
    }
    quick.evaluated = true;
    preview(std::move(quick));
}

PredictionResult predict(const PredictionRequest& request,
                         const std::function<void(PredictionResult)>& preview) {
    PredictionResult result;
    result.generation = request.generation;
    const std::shared_ptr<const lora::Dataset> owned =
        request.cache->split(request.data, request.classes);
    const lora::Dataset& split = *owned;
    const bool ordered = request.order != SampleOrder::Spread;
    sendPreview(request, split, preview);
    evaluateModels(request, result);

    std::vector<float> confidence;
    if (result.evaluated && ordered) confidence = lora::topProbabilities(result.evaluation.logits);
    if (!result.evaluated || !ordered)
        result.rows = spreadRows(split.size(), request.shown);
    else if (request.order == SampleOrder::MistakesOnly)
        result.rows = lora::mistakeRows(result.evaluation, split.labels, request.shown);
    else
        result.rows = lora::leastConfidentRows(confidence, request.shown);
    result.evaluation.logits.resize(0, 0); // not needed past here, and large for 10 000 rows

    fillSamples(request, split, result);
    for (std::size_t k = 0; k < result.rows.size(); ++k) {
        const int row = result.rows[k];
        if (result.evaluated)
            result.samplePredicted.push_back(request.classes[result.evaluation.predictions[row]]);
        if (!confidence.empty()) result.confidence.push_back(confidence[row]);
    }
    return result;
}

} // namespace

PredictionResult computePredictions(const PredictionRequest& request,
                                    const std::function<void(PredictionResult)>& preview) {
    try {
        return predict(request, preview);
    } catch (const std::exception& e) {
        PredictionResult failed;
        failed.generation = request.generation;
        failed.error = QString::fromStdString(lora::errorText(e));
        return failed;
    }
}
