#include "tabs/predictions/prediction_job.h"

#include "data/dataset.h"
#include "train/merge_check.h"
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

lora::Evaluation evaluateCopy(const lora::Mlp& model, const lora::Dataset& split, bool logits) {
    lora::Mlp copy = model; // forward() writes workspaces; the snapshot is const
    return lora::evaluate(copy, split, logits);
}

lora::Evaluation evaluateBase(const PredictionRequest& request, const lora::Dataset& split) {
    if (request.cache)
        return request.cache->baseEvaluation(request.base, request.data, request.classes);
    return evaluateCopy(*request.base, split, false);
}

void evaluateModels(const PredictionRequest& request, const lora::Dataset& split, bool logits,
                    PredictionResult& result) {
    if (request.model) {
        if (request.mergeModel && request.model->hasLora())
            result.evaluation = evaluateCopy(lora::mergedModel(*request.model), split, logits);
        else
            result.evaluation = evaluateCopy(*request.model, split, logits);
        result.evaluated = true;
    }
    if (!request.base) return;
    if (request.base != request.model || request.mergeModel) {
        result.baseEvaluation = evaluateBase(request, split);
        result.baseEvaluated = true;
    } else if (result.evaluated) {
        result.baseEvaluation = result.evaluation;
        result.baseEvaluation.logits.resize(0, 0);
        result.baseEvaluated = true;
    }
}

PredictionResult predict(const PredictionRequest& request) {
    PredictionResult result;
    result.generation = request.generation;
    const std::shared_ptr<const lora::Dataset> owned =
        request.cache ? request.cache->split(request.data, request.classes)
                      : std::make_shared<const lora::Dataset>(
                            lora::filterClassesRemap(request.data->test, request.classes));
    const lora::Dataset& split = *owned;
    const bool ordered = request.order != SampleOrder::Spread;
    evaluateModels(request, split, ordered, result);

    std::vector<float> confidence;
    if (result.evaluated && ordered) confidence = lora::topProbabilities(result.evaluation.logits);
    if (!result.evaluated || !ordered)
        result.rows = spreadRows(split.size(), request.shown);
    else if (request.order == SampleOrder::MistakesOnly)
        result.rows = lora::mistakeRows(result.evaluation, split.labels, request.shown);
    else
        result.rows = lora::leastConfidentRows(confidence, request.shown);
    result.evaluation.logits.resize(0, 0); // not needed past here, and large for 10 000 rows

    const int shown = static_cast<int>(result.rows.size());
    result.sampleImages.resize(shown, split.features());
    for (int k = 0; k < shown; ++k) {
        const int row = result.rows[k];
        result.sampleImages.row(k) = split.images.row(row);
        result.sampleTrue.push_back(request.classes[split.labels[row]]);
        if (result.evaluated)
            result.samplePredicted.push_back(request.classes[result.evaluation.predictions[row]]);
        if (!confidence.empty()) result.confidence.push_back(confidence[row]);
    }
    return result;
}

} // namespace

std::shared_ptr<const lora::Dataset> PredictionCache::split(const DataPtr& data,
                                                            const std::vector<int>& classes) {
    std::lock_guard lock(m_mutex);
    if (!m_split || data != m_splitData || classes != m_splitClasses) {
        m_split =
            std::make_shared<const lora::Dataset>(lora::filterClassesRemap(data->test, classes));
        m_splitData = data;
        m_splitClasses = classes;
    }
    return m_split;
}

lora::Evaluation PredictionCache::baseEvaluation(const ModelPtr& base, const DataPtr& data,
                                                 const std::vector<int>& classes) {
    const std::shared_ptr<const lora::Dataset> test = split(data, classes);
    std::lock_guard lock(m_mutex);
    if (base != m_base || data != m_baseData || classes != m_baseClasses) {
        m_baseEvaluation = evaluateCopy(*base, *test, false);
        m_base = base;
        m_baseData = data;
        m_baseClasses = classes;
    }
    return m_baseEvaluation;
}

PredictionResult computePredictions(const PredictionRequest& request) {
    try {
        return predict(request);
    } catch (const std::exception& e) {
        PredictionResult failed;
        failed.generation = request.generation;
        failed.error = QString::fromStdString(lora::errorText(e));
        return failed;
    }
}
