#include "nn/adapter_combine.h"

#include "linalg/truncated_svd.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace lora {

namespace {

std::vector<int> unionOfLayers(const std::vector<AdapterWeights>& adapters) {
    std::set<int> layers;
    for (const auto& a : adapters)
        for (const auto& l : a.layers) layers.insert(l.layer);
    return {layers.begin(), layers.end()};
}

// The combined rank of one layer, from the ranks of the adapters that target it.
int combinedRank(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                 const CombineOptions& options, int layer) {
    const std::string name = model.layerName(layer);
    int rank = 0;
    for (const auto& a : adapters) {
        const LayerAdapter* src = a.find(layer);
        if (!src) continue;
        const int r = src->spec.rank;
        switch (options.method) {
        case CombineMethod::Linear:
            if (rank != 0 && r != rank)
                throw InputError("linear combination needs equal ranks (" + name + " has " +
                                 std::to_string(rank) + " and " + std::to_string(r) +
                                 "); use cat or svd");
            rank = r;
            break;
        case CombineMethod::Cat:
            rank += r;
            checkSummedRank(rank, "cat on " + name); // each r ≤ kMaxRank: no overflow
            break;
        case CombineMethod::Svd:
            rank = std::max(rank, r);
            break;
        }
    }
    if (options.method != CombineMethod::Svd) return rank;
    const int limit = std::min(model.layer(layer).in(), model.layer(layer).out());
    if (options.svdRank == 0) return std::min(rank, limit); // the largest input rank that fits
    if (options.svdRank > limit)
        throw InputError("svd rank must be between 1 and " + std::to_string(limit) + " for " +
                         name + ", not " + std::to_string(options.svdRank));
    return options.svdRank;
}

} // namespace

Matrix weightedDelta(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                     const std::vector<float>& weights, int layer) {
    Matrix delta = Matrix::Zero(model.layer(layer).out(), model.layer(layer).in());
    for (std::size_t i = 0; i < adapters.size(); ++i)
        if (const LayerAdapter* src = adapters[i].find(layer)) delta += weights[i] * src->delta();
    return delta;
}

CombineMethod combineMethodFromString(const std::string& s) {
    if (s == "linear") return CombineMethod::Linear;
    if (s == "cat") return CombineMethod::Cat;
    if (s == "svd") return CombineMethod::Svd;
    throw InputError("unknown combination '" + s + "' (use linear, cat or svd)");
}

const char* toString(CombineMethod method) {
    switch (method) {
    case CombineMethod::Linear:
        return "linear";
    case CombineMethod::Cat:
        return "cat";
    case CombineMethod::Svd:
        return "svd";
    }
    return "?";
}

namespace {

// One layer of the combination, `rank` as combinedRank chose it.
LayerAdapter combineLayer(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                          const CombineOptions& options, const std::vector<float>& w, int layer,
                          int rank) {
    const Linear& base = model.layer(layer);
    LoraSpec spec; // α = r: scale 1, the factors carry every weight
    spec.rank = rank;
    spec.alpha = static_cast<float>(rank);
    LayerAdapter l{layer, spec, Matrix::Zero(rank, base.in()), Matrix::Zero(base.out(), rank)};
    if (options.method == CombineMethod::Svd) {
        const LowRankFactors f =
            TruncatedSvd(weightedDelta(model, adapters, w, layer)).factors(rank);
        l.A = f.A;
        l.B = f.B;
        return l;
    }
    int offset = 0;
    for (std::size_t i = 0; i < adapters.size(); ++i) {
        const LayerAdapter* src = adapters[i].find(layer);
        if (!src) continue;
        const float s = src->spec.scale();
        if (options.method == CombineMethod::Linear) {
            const float root = std::sqrt(w[i]);
            l.A += root * s * src->A;
            l.B += root * src->B;
        } else {
            l.A.middleRows(offset, src->spec.rank) = src->A;
            l.B.middleCols(offset, src->spec.rank) = w[i] * s * src->B;
            offset += src->spec.rank;
        }
    }
    return l;
}

} // namespace

AdapterWeights combineAdapters(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                               const CombineOptions& options) {
    if (adapters.size() < 2) throw InputError("combining needs at least two adapters");
    std::vector<float> w = options.weights;
    if (w.empty()) w.assign(adapters.size(), 1.0f);
    if (w.size() != adapters.size())
        throw InputError(std::to_string(w.size()) + " weights for " +
                         std::to_string(adapters.size()) + " adapters");
    for (float x : w)
        if (!std::isfinite(x)) throw InputError("combination weights must be finite numbers");
    for (const auto& a : adapters)
        for (const auto& l : a.layers)
            if (l.layer < 0 || l.layer >= model.layerCount())
                throw InputError("an adapter targets a layer that " + model.architecture() +
                                 " does not have");

    if (options.method == CombineMethod::Linear)
        for (float x : w)
            if (x < 0) throw InputError("linear combination needs non-negative weights (√w)");
    if (options.method == CombineMethod::Svd && options.svdRank < 0)
        throw InputError("svd rank must be positive, not " + std::to_string(options.svdRank));

    // Every rank first: cat adds them up, and the result must be an adapter that fits the
    // budget and that the readers accept, which is known before anything is allocated.
    const std::vector<int> layers = unionOfLayers(adapters);
    std::vector<int> ranks(model.layerCount(), 0);
    for (int layer : layers) ranks[layer] = combinedRank(model, adapters, options, layer);
    checkAdapterBudget(model.widths(), {}, ranks);

    AdapterWeights out;
    for (int layer : layers) {
        LayerAdapter l = combineLayer(model, adapters, options, w, layer, ranks[layer]);
        // Finite in, finite out: weights like 1e38 overflow the factors or ΔW = B A.
        const std::string what = "the combined adapter's " + model.layerName(layer);
        checkFinite(l.A, what + " A");
        checkFinite(l.B, what + " B");
        checkFinite(l.delta(), what + " ΔW");
        out.layers.push_back(std::move(l));
    }
    out.spec = out.layers.front().spec;
    return out;
}

} // namespace lora
