#include "docks/settings_limits.h"

#include "nn/architecture.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <QCoreApplication>
#include <QStringList>
#include <algorithm>

SettingsLimits limitsFor(const ExperimentSettings& s, int maxRank, int maxBatch) {
    try {
        const std::vector<int> widths = lora::parseArchitecture(s.architecture);
        std::vector<bool> targeted(widths.size() - 1, s.targets.empty());
        for (const std::string& t : s.targets)
            if (const int n = lora::layerNumber(t); n >= 1 && n < static_cast<int>(widths.size()))
                targeted[n - 1] = true;
        // Above min(in, out) of every targeted layer a rank adds parameters but nothing else.
        int useful = 1;
        for (std::size_t i = 0; i + 1 < widths.size(); ++i)
            if (targeted[i]) useful = std::max(useful, std::min(widths[i], widths[i + 1]));
        maxRank = std::min({maxRank, useful, std::max(1, lora::maxRankFor(widths, targeted))});
        maxBatch = static_cast<int>(
            std::min<long long>(maxBatch, std::max(1LL, lora::maxBatchFor(widths))));
    } catch (const lora::InputError&) {
    }
    return {maxRank, maxBatch};
}

void fitClassesToOutputs(ExperimentSettings& s) {
    const std::vector<int> widths = lora::parseArchitecture(s.architecture);
    const std::size_t outputs = static_cast<std::size_t>(widths.back());
    if (outputs > 10) return; // validate() names this problem
    std::vector<int> first(outputs);
    for (std::size_t i = 0; i < outputs; ++i) first[i] = static_cast<int>(i);
    if (s.baseClasses.size() != outputs) s.baseClasses = first;
    if (s.targetClasses.size() != outputs) {
        s.targetClasses = first;
        s.trainDigits.clear();
    }
}

RankWarningText rankWarning(const ExperimentSettings& s) {
    std::vector<lora::OversizedRank> oversized;
    try {
        oversized =
            lora::oversizedRanks(lora::parseArchitecture(s.architecture), s.targets, s.rank);
    } catch (const lora::InputError&) {
        // An architecture being typed is refused when committed; nothing to warn about yet.
    }
    QStringList layers, details;
    for (const auto& o : oversized) {
        layers << QStringLiteral("%1 (%2)").arg(QString::fromStdString(o.layer)).arg(o.limit);
        details << QString::fromStdString(lora::describe(o, s.rank));
    }
    if (layers.isEmpty()) return {};
    return {
        QCoreApplication::translate(
            "ControlsDock", "r = %1 > min(in, out) of %2: more parameters, no more expressiveness")
            .arg(s.rank)
            .arg(layers.join(", ")),
        details.join('\n')};
}
