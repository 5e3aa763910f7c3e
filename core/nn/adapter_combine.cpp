#include "nn/adapter_combine.h"

#include "linalg/truncated_svd.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace lora {

namespace {

const LayerAdapter* findLayer(const AdapterWeights& a, int layer) {
    for (const auto& l : a.layers)
        if (l.layer == layer) return &l;
    return nullptr;
}

std::vector<int> unionOfLayers(const std::vector<AdapterWeights>& adapters) {
    std::set<int> layers;
    for (const auto& a : adapters)
        for (const auto& l : a.layers) layers.insert(l.layer);
    return {layers.begin(), layers.end()};
}

} // namespace

Matrix weightedDelta(const Mlp& model, const std::vector<AdapterWeights>& adapters,
                     const std::vector<float>& weights, int layer) {
    Matrix delta = Matrix::Zero(model.layer(layer).out(), model.layer(layer).in());
    for (std::size_t i = 0; i < adapters.size(); ++i)
        if (const LayerAdapter* src = findLayer(adapters[i], layer))
            delta += weights[i] * adapters[i].delta(*src);
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

    AdapterWeights out;
    const std::vector<int> layers = unionOfLayers(adapters);
    int rank = 0;
    switch (options.method) {
    case CombineMethod::Linear:
        rank = adapters.front().spec.rank;
        for (const auto& a : adapters)
            if (a.spec.rank != rank)
                throw InputError("linear combination needs equal ranks (got " +
                                 std::to_string(rank) + " and " + std::to_string(a.spec.rank) +
                                 "); use cat or svd");
        for (float x : w)
            if (x < 0) throw InputError("linear combination needs non-negative weights (√w)");
        break;
    case CombineMethod::Cat:
        for (const auto& a : adapters) rank += a.spec.rank;
        break;
    case CombineMethod::Svd:
        rank = options.svdRank;
        if (rank == 0) { // the largest input rank that every targeted layer can hold
            for (const auto& a : adapters) rank = std::max(rank, a.spec.rank);
            for (int layer : layers)
                rank = std::min({rank, model.layer(layer).in(), model.layer(layer).out()});
        }
        for (int layer : layers) {
            const Linear& base = model.layer(layer);
            if (rank < 1 || rank > std::min(base.in(), base.out()))
                throw InputError("svd rank must be between 1 and " +
                                 std::to_string(std::min(base.in(), base.out())) + " for " +
                                 model.layerName(layer) + ", not " + std::to_string(rank));
        }
        break;
    }
    out.spec.rank = rank;
    out.spec.alpha = static_cast<float>(rank); // scale 1: the factors carry every weight

    for (int layer : layers) {
        const Linear& base = model.layer(layer);
        LayerAdapter l{layer, Matrix::Zero(rank, base.in()), Matrix::Zero(base.out(), rank)};
        if (options.method == CombineMethod::Svd) {
            const LowRankFactors f =
                TruncatedSvd(weightedDelta(model, adapters, w, layer)).factors(rank);
            l.A = f.A;
            l.B = f.B;
        } else {
            int offset = 0;
            for (std::size_t i = 0; i < adapters.size(); ++i) {
                const AdapterWeights& a = adapters[i];
                const int r = a.spec.rank;
                if (const LayerAdapter* src = findLayer(a, layer)) {
                    if (options.method == CombineMethod::Linear) {
                        const float root = std::sqrt(w[i]);
                        l.A += root * a.scale() * src->A;
                        l.B += root * src->B;
                    } else {
                        l.A.middleRows(offset, r) = src->A;
                        l.B.middleCols(offset, r) = w[i] * a.scale() * src->B;
                    }
                }
                if (options.method == CombineMethod::Cat) offset += r;
            }
        }
        out.layers.push_back(std::move(l));
    }
    return out;
}

} // namespace lora
