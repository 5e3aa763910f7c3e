#include "train/merge_check.h"

#include "nn/model_budget.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <algorithm>

namespace lora {

namespace {

void requireMergeable(const Mlp& model) {
    if (!model.hasLora()) throw InputError("there is no adapter to merge");
    for (int i = 0; i < model.layerCount(); ++i)
        if (const LoraLinear* a = model.adapter(i))
            if (!a->A.allFinite() || !a->B.allFinite())
                throw InputError(model.layerName(i) +
                                 ": the adapter holds NaN or Inf values; refusing to merge");
}

} // namespace

MergeReport checkMerge(Mlp& model, const Dataset& data) {
    requireMergeable(model);
    model.unmergeLora(); // measure from the two-path state, with every adapter switched on
    std::vector<bool> enabled;
    for (int i = 0; i < model.layerCount(); ++i)
        if (LoraLinear* a = model.adapter(i)) {
            enabled.push_back(a->enabled);
            a->enabled = true;
        }
    std::vector<Matrix> original;
    for (int i = 0; i < model.layerCount(); ++i) original.push_back(model.layer(i).W);

    MergeReport report;
    const Evaluation unmerged = evaluate(model, data, true);
    model.mergeLora();
    const Evaluation merged = evaluate(model, data, true);
    model.unmergeLora();
    report.accuracyUnmerged = unmerged.accuracy;
    report.accuracyMerged = merged.accuracy;
    if (unmerged.logits.size() > 0)
        report.maxLogitDiff = (merged.logits - unmerged.logits).cwiseAbs().maxCoeff();
    for (int i = 0; i < model.layerCount(); ++i) {
        if (!model.adapter(i)) continue;
        report.maxUnmergeError = std::max<double>(
            report.maxUnmergeError, (model.layer(i).W - original[i]).cwiseAbs().maxCoeff());
        model.layer(i).W = original[i]; // the float round trip is measured, not kept
    }
    auto flag = enabled.begin();
    for (int i = 0; i < model.layerCount(); ++i)
        if (LoraLinear* a = model.adapter(i)) a->enabled = *flag++;
    return report;
}

Mlp mergedModel(const Mlp& model) {
    requireMergeable(model);
    Mlp plain(model.widths());
    for (int i = 0; i < model.layerCount(); ++i) {
        plain.layer(i).W = model.layer(i).W;
        plain.layer(i).b = model.layer(i).b;
        const LoraLinear* a = model.adapter(i);
        if (a && !a->merged()) plain.layer(i).W += a->delta();
        checkFinite(plain.layer(i).W, "the merged " + model.layerName(i) + ".weight");
    }
    return plain;
}

} // namespace lora
