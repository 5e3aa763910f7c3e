#include "train/variants.h"

#include "nn/adapter_weights.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <cmath>

namespace lora {

LoraVariant LoraVariant::parse(const std::string& text, int rank, float alpha) {
    LoraVariant v;
    v.spec.rank = rank;
    v.spec.alpha = alpha;
    std::string init = text;
    if (const auto plus = text.find('+'); plus != std::string::npos) {
        if (text.substr(plus + 1) != "rslora")
            throw InputError("unknown variant '" + text +
                             "' (use kaiming, gaussian or pissa, "
                             "optionally with +rslora)");
        v.spec.rslora = true;
        init = text.substr(0, plus);
    }
    v.spec.init = loraInitFromString(init);
    v.spec.validate();
    return v;
}

std::string LoraVariant::name() const {
    return std::string(toString(spec.init)) + (spec.rslora ? "+rslora" : "") + " r" +
           std::to_string(spec.rank);
}

void checkVariants(const Mlp& base, const std::vector<LoraVariant>& variants,
                   const std::vector<std::string>& targets) {
    Mlp plain(base);
    plain.detachLora();
    for (const LoraVariant& v : variants) plain.checkLora({v.spec, targets});
}

std::vector<VariantRun> compareVariants(const Mlp& base, const Dataset& train, const Dataset& test,
                                        const std::vector<LoraVariant>& variants,
                                        const std::vector<std::string>& targets,
                                        const TrainOptions& options, std::uint64_t seed,
                                        const VariantProgress& progress, std::stop_token stop) {
    if (variants.empty()) throw InputError("choose at least one variant to train");
    checkVariants(base, variants, targets); // before any run
    Mlp plain(base);
    plain.detachLora();

    std::vector<VariantRun> runs;
    for (const LoraVariant& v : variants) {
        if (stop.stop_requested()) break;
        Mlp model(plain);
        Rng rng(seed);
        model.attachLora({v.spec, targets}, rng);
        VariantRun r;
        r.variant = v;
        r.params = model.trainableParamCount();
        r.run = Trainer(model, options).run(train, nullptr, nullptr, stop);
        if (r.run.diverged)
            throw InputError(v.name() + " " + divergenceMessage(r.run) +
                             "; lower the learning rate");
        r.accuracy = evaluate(model, test).accuracy;
        r.adapter = extractAdapter(model);
        double sq = 0;
        for (const LayerAdapter& l : r.adapter.layers) sq += l.delta().cast<double>().squaredNorm();
        r.deltaNorm = std::sqrt(sq);
        runs.push_back(std::move(r));
        if (progress) progress(runs);
    }
    return runs;
}

} // namespace lora
