// lora-cli variants: initialisations and scaling rules trained side by side on one task.
#include "cli/variant_task.h"
#include "train/step_budget.h"
#include "util/list_parse.h"

#include <algorithm>

namespace lora::cli {

namespace {

// At most `points` evenly spaced losses, so long runs stay readable.
Json thinned(const std::vector<float>& losses, std::size_t points = 200) {
    Json out = Json::array();
    const std::size_t stride = std::max<std::size_t>(1, (losses.size() + points - 1) / points);
    for (std::size_t i = 0; i < losses.size(); i += stride) out.push_back({i + 1, losses[i]});
    return out;
}

Json runJson(const VariantRun& r) {
    const LoraSpec& s = r.variant.spec;
    return {{"name", r.variant.name()},
            {"init", toString(s.init)},
            {"rslora", s.rslora},
            {"rank", s.rank},
            {"alpha", s.alpha},
            {"scale", s.scale()},
            {"accuracy", r.accuracy},
            {"delta_norm", r.deltaNorm},
            {"params", r.params},
            {"steps", r.run.steps},
            {"final_loss", r.run.lastTrainLoss},
            {"loss_curve", thinned(r.run.stepLosses)}};
}

} // namespace

int runVariants(const Args& args) {
    const int rank = rankFrom(args, 4);
    const float alpha = args.number("alpha", 8.0f);
    std::vector<LoraVariant> variants;
    for (const std::string& v :
         parseNameList(args.text("variants", "kaiming,gaussian,kaiming+rslora"), "--variants"))
        variants.push_back(LoraVariant::parse(v, rank, alpha));
    const std::vector<std::string> targets = targetsFrom(args);
    const TrainOptions options = trainOptionsFrom(args, 1);
    const VariantTask task = loadVariantTask(args, variants, targets);
    // --max-steps is each run's length, as the Init & scaling panel's steps are.
    const auto runs = compareVariants(task.base.model, task.data.train, task.data.test, variants,
                                      targets, withEpochsFor(options, task.data.train.size()),
                                      args.seed("seed"), printRunProgress);
    Json out = Json::array();
    for (const VariantRun& r : runs) out.push_back(runJson(r));
    printResult({{"command", "variants"}, {"classes", task.classes}, {"runs", out}});
    return 0;
}

} // namespace lora::cli
