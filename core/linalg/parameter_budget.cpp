#include "linalg/parameter_budget.h"

#include "nn/architecture.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace lora {

namespace {

// NF4 packs two weights per byte and keeps one fp32 absmax per 64-weight block.
constexpr double kNf4BytesPerWeight = 0.5 + 4.0 / 64.0;

std::string joinNames(const std::vector<LinearShape>& linears) {
    std::string s;
    for (const LinearShape& l : linears) s += (s.empty() ? "" : ", ") + l.name;
    return s;
}

void validate(const ModelShape& model, int rank, float alpha,
              const std::vector<std::string>& targets) {
    if (rank < 1) throw InputError("rank must be at least 1, got " + std::to_string(rank));
    if (!std::isfinite(alpha) || alpha <= 0.0f) {
        char got[32];
        std::snprintf(got, sizeof got, "%g", static_cast<double>(alpha));
        throw InputError(std::string("alpha must be a positive number, got ") + got);
    }
    if (model.linears.empty()) throw InputError("model '" + model.name + "' has no linear layers");
    for (const LinearShape& l : model.linears)
        if (l.in < 1 || l.out < 1 || l.repeat < 1)
            throw InputError("layer '" + l.name + "' of '" + model.name +
                             "' needs in, out and repeat of at least 1");
    if (model.otherParams < 0)
        throw InputError("model '" + model.name + "' has a negative parameter count");
    // A target that matches nothing is almost always a typo; PEFT raises for it as well.
    for (const std::string& t : targets) {
        const bool hit =
            std::any_of(model.linears.begin(), model.linears.end(),
                        [&](const LinearShape& l) { return targetMatches(t, l.name); });
        if (!hit)
            throw InputError("target '" + t + "' matches no layer of '" + model.name +
                             "' (layers: " + joinNames(model.linears) + ")");
    }
}

MemoryRow row(const char* method, const char* precision, double weights, double gradients,
              double optimizer) {
    return {method, precision, weights, gradients, optimizer, weights + gradients + optimizer};
}

// linearWeights: in·out·repeat over every linear, the part QLoRA stores in NF4. Everything
// else of the base (biases, embeddings, norms, untied heads) stays bf16 as in bitsandbytes.
std::vector<MemoryRow> memoryRows(std::int64_t base, std::int64_t lora,
                                  std::int64_t linearWeights) {
    const double n = static_cast<double>(base), l = static_cast<double>(lora);
    const double w = static_cast<double>(linearWeights);
    std::vector<MemoryRow> rows;
    const std::pair<const char*, double> precisions[] = {
        {"fp32", 4.0}, {"fp16", 2.0}, {"bf16", 2.0}};
    for (const auto& [name, b] : precisions)
        rows.push_back(row("full", name, n * b, n * b, 2 * n * b));
    for (const auto& [name, b] : precisions)
        rows.push_back(row("lora", name, (n + l) * b, l * b, 2 * l * b));
    rows.push_back(row("qlora", "nf4+bf16", w * kNf4BytesPerWeight + (n - w) * 2.0 + l * 2.0,
                       l * 2.0, 2 * l * 2.0));
    return rows;
}

} // namespace

ModelShape mlpShape(const std::string& architecture) {
    const std::vector<int> widths = parseArchitecture(architecture);
    ModelShape shape;
    shape.name = formatArchitecture(widths); // canonical: "0784-64-2" becomes "784-64-2"
    shape.description = "MLP " + shape.name + ", every layer with bias";
    const std::vector<std::string> names = layerNames(static_cast<int>(widths.size()) - 1);
    for (std::size_t i = 0; i < names.size(); ++i)
        shape.linears.push_back({names[i], widths[i], widths[i + 1], true, 1});
    return shape;
}

bool targetMatches(const std::string& target, const std::string& layerName) {
    if (target.empty()) return false;
    if (layerName == target) return true;
    // The '.' boundary keeps "proj" from matching "c_proj" and "c1" from matching "fc1".
    return layerName.size() > target.size() && layerName.ends_with(target) &&
           layerName[layerName.size() - target.size() - 1] == '.';
}

ParameterBudget computeBudget(const ModelShape& model, int rank, float alpha,
                              const std::vector<std::string>& targets, bool rslora) {
    validate(model, rank, alpha, targets);
    ParameterBudget b;
    b.model = model.name;
    b.rank = rank;
    b.alpha = alpha;
    b.scale =
        rslora ? alpha / std::sqrt(static_cast<float>(rank)) : alpha / static_cast<float>(rank);
    b.targets = targets;
    std::int64_t linearWeights = 0, targetedWeights = 0, linearParams = 0;
    for (const LinearShape& l : model.linears) {
        LayerBudget layer;
        layer.name = l.name;
        layer.in = l.in;
        layer.out = l.out;
        layer.repeat = l.repeat;
        layer.target = targets.empty() ||
                       std::any_of(targets.begin(), targets.end(),
                                   [&](const std::string& t) { return targetMatches(t, l.name); });
        const std::int64_t weights = l.in * l.out * l.repeat;
        layer.baseParams = weights + (l.bias ? l.out * l.repeat : 0);
        // A is [r, in] and B is [out, r]; the bias is never adapted.
        layer.loraParams = layer.target ? std::int64_t{rank} * (l.in + l.out) * l.repeat : 0;
        linearWeights += weights;
        linearParams += layer.baseParams;
        if (layer.target) targetedWeights += weights;
        b.loraParams += layer.loraParams;
        b.layers.push_back(layer);
    }
    b.baseParams = linearParams + model.otherParams;
    b.totalParams = b.baseParams + b.loraParams;
    const double n = static_cast<double>(b.baseParams), l = static_cast<double>(b.loraParams);
    b.trainablePercent = 100.0 * l / (n + l);
    b.incrementPercent = 100.0 * l / n;
    b.reduction = static_cast<double>(targetedWeights) / l;
    b.memory = memoryRows(b.baseParams, b.loraParams, linearWeights);
    return b;
}

} // namespace lora
