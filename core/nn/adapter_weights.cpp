#include "nn/adapter_weights.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace lora {

namespace {

std::string shape(Eigen::Index rows, Eigen::Index cols) {
    return "[" + std::to_string(rows) + "," + std::to_string(cols) + "]";
}

bool sameRankAndAlpha(const LoraSpec& a, const LoraSpec& b) {
    return a.rank == b.rank && a.alpha == b.alpha;
}

} // namespace

std::size_t AdapterWeights::paramCount() const {
    std::size_t n = 0;
    for (const auto& l : layers) n += static_cast<std::size_t>(l.A.size() + l.B.size());
    return n;
}

const LayerAdapter* AdapterWeights::find(int layer) const {
    for (const auto& l : layers)
        if (l.layer == layer) return &l;
    return nullptr;
}

bool AdapterWeights::uniform() const {
    return std::all_of(layers.begin(), layers.end(),
                       [&](const LayerAdapter& l) { return sameRankAndAlpha(l.spec, spec); });
}

LoraConfig AdapterWeights::config(const Mlp& model) const {
    LoraConfig config(spec);
    for (const auto& l : layers) {
        const std::string name = model.layerName(l.layer);
        config.targets.push_back(name);
        if (l.spec.rank != spec.rank) config.rankPattern[name] = l.spec.rank;
        if (l.spec.alpha != spec.alpha) config.alphaPattern[name] = l.spec.alpha;
    }
    return config;
}

AdapterWeights extractAdapter(const Mlp& model) {
    AdapterWeights weights;
    for (int i = 0; i < model.layerCount(); ++i) {
        const LoraLinear* a = model.adapter(i);
        if (!a) continue;
        if (!a->pissa()) {
            weights.layers.push_back({i, a->spec(), a->A, a->B});
            continue;
        }
        // PiSSA trains on the residual W − s·B₀A₀. Against the true W its update is
        // s·(BA − B₀A₀) = s′·[B, −B₀][A; A₀]: a plain rank-2r LoRA (PEFT's conversion), with
        // α scaled so that s′ = s.
        const LoraSpec& s = a->spec();
        LoraSpec plain{2 * s.rank, s.rslora ? s.alpha * std::sqrt(2.0f) : 2 * s.alpha, s.rslora,
                       LoraInit::Kaiming};
        Matrix A(plain.rank, a->A.cols()), B(a->B.rows(), plain.rank);
        A << a->A, a->initialA();
        B << a->B, -a->initialB();
        weights.layers.push_back({i, plain, std::move(A), std::move(B)});
    }
    if (weights.layers.empty()) throw InputError("the model has no LoRA adapter attached");
    std::size_t best = 0;
    for (const auto& candidate : weights.layers) {
        const auto n = static_cast<std::size_t>(
            std::count_if(weights.layers.begin(), weights.layers.end(), [&](const LayerAdapter& l) {
                return sameRankAndAlpha(l.spec, candidate.spec);
            }));
        if (n > best) {
            best = n;
            weights.spec = candidate.spec;
        }
    }
    return weights;
}

void checkAdapter(const Mlp& model, const AdapterWeights& weights) {
    weights.spec.validate();
    if (weights.layers.empty()) throw InputError("the adapter has no layers");
    int previous = -1;
    for (const auto& l : weights.layers) {
        if (l.layer <= previous || l.layer >= model.layerCount())
            throw InputError("adapter layer index " + std::to_string(l.layer) +
                             " is out of order or not in " + model.architecture());
        previous = l.layer;
        const std::string name = model.layerName(l.layer);
        const Linear& base = model.layer(l.layer);
        l.spec.validate();
        if (l.spec.init == LoraInit::Pissa)
            throw InputError(name + ": a PiSSA adapter must be converted to plain LoRA first");
        if (l.spec.rslora != weights.spec.rslora)
            throw InputError(name + ": use_rslora differs from the adapter's");
        const int r = l.spec.rank;
        if (l.A.rows() != r || l.A.cols() != base.in())
            throw InputError(name + ".lora_A is " + shape(l.A.rows(), l.A.cols()) +
                             " but must be " + shape(r, base.in()));
        if (l.B.rows() != base.out() || l.B.cols() != r)
            throw InputError(name + ".lora_B is " + shape(l.B.rows(), l.B.cols()) +
                             " but must be " + shape(base.out(), r));
        if (!l.A.allFinite() || !l.B.allFinite())
            throw InputError(name + ": the adapter holds NaN or Inf values");
    }
}

void attachAdapter(Mlp& model, const AdapterWeights& weights) {
    checkAdapter(model, weights);
    Rng unused(0); // attachLora initialises A and B; ours replace them
    model.attachLora(weights.config(model), unused);
    for (const auto& l : weights.layers) {
        model.adapter(l.layer)->A = l.A;
        model.adapter(l.layer)->B = l.B;
    }
}

} // namespace lora
