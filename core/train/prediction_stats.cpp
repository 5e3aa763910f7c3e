#include "train/prediction_stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lora {

int weakestClass(const Evaluation& evaluation) {
    const std::vector<int>& errors = evaluation.errorsPerClass;
    const auto worst = std::max_element(errors.begin(), errors.end());
    if (worst == errors.end() || *worst == 0) return -1;
    return static_cast<int>(worst - errors.begin());
}

// logits: [n, classes] -> [n]
std::vector<float> topProbabilities(const Matrix& logits) {
    std::vector<float> top(static_cast<std::size_t>(logits.rows()));
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
        const float maxLogit = logits.row(i).maxCoeff();
        // max softmax = 1 / Σ exp(zⱼ − z_max): shifted so no term overflows.
        double sum = 0;
        for (Eigen::Index j = 0; j < logits.cols(); ++j)
            sum += std::exp(static_cast<double>(logits(i, j) - maxLogit));
        top[static_cast<std::size_t>(i)] = static_cast<float>(1.0 / sum);
    }
    return top;
}

std::vector<int> mistakeRows(const Evaluation& evaluation, const std::vector<int>& labels,
                             int limit) {
    std::vector<int> rows;
    const std::size_t n = std::min(evaluation.predictions.size(), labels.size());
    for (std::size_t i = 0; i < n && static_cast<int>(rows.size()) < limit; ++i)
        if (evaluation.predictions[i] != labels[i]) rows.push_back(static_cast<int>(i));
    return rows;
}

std::vector<int> leastConfidentRows(const std::vector<float>& topProbability, int limit) {
    std::vector<int> rows(topProbability.size());
    std::iota(rows.begin(), rows.end(), 0);
    const auto end = rows.begin() + std::clamp<std::ptrdiff_t>(limit, 0, rows.size());
    std::partial_sort(rows.begin(), end, rows.end(), [&](int a, int b) {
        return topProbability[a] != topProbability[b] ? topProbability[a] < topProbability[b]
                                                      : a < b;
    });
    rows.erase(end, rows.end());
    return rows;
}

} // namespace lora
