// lora-cli scaling: a rank sweep at fixed α under α/r and under rsLoRA's α/√r, paired into one
// row per rank by the core's runScalingSweep, as the Init & scaling panel pairs them.
#include "cli/variant_task.h"
#include "train/scaling_sweep.h"
#include "train/step_budget.h"
#include "util/list_parse.h"

namespace lora::cli {

namespace {

// Scales as floats, as LoraSpec computes them, so the JSON prints them as before.
Json rowJson(const ScalePoint& p) {
    return {{"rank", p.rank},
            {"scale", static_cast<float>(p.scale)},
            {"scale_rslora", static_cast<float>(p.scaleRs)},
            {"delta_norm", p.norm},
            {"delta_norm_rslora", p.normRs},
            {"accuracy", p.accuracy},
            {"accuracy_rslora", p.accuracyRs},
            {"final_loss", p.finalLoss},
            {"final_loss_rslora", p.finalLossRs}};
}

} // namespace

int runScaling(const Args& args) {
    ScalingSweep sweep;
    sweep.alpha = args.number("alpha", 8.0f);
    sweep.init = loraInitFromString(args.text("init", "kaiming"));
    if (args.has("ranks"))
        sweep.ranks = parseIntList(args.required("ranks"), "--ranks", 1, kMaxRank);
    sweep.targets = targetsFrom(args);
    const std::vector<LoraVariant> variants = sweep.variants(); // refuses a bad α first
    const TrainOptions options = trainOptionsFrom(args, 1);
    const VariantTask task = loadVariantTask(args, variants, sweep.targets);
    // --max-steps is each run's length, as the Init & scaling panel's steps are.
    const std::vector<ScalePoint> points = runScalingSweep(
        task.base.model, task.data.train, task.data.test, sweep,
        withEpochsFor(options, task.data.train.size()), args.seed("seed"), {}, printRunProgress);
    Json rows = Json::array();
    for (const ScalePoint& p : points) rows.push_back(rowJson(p));
    printResult({{"command", "scaling"},
                 {"alpha", sweep.alpha},
                 {"init", toString(sweep.init)},
                 {"rows", rows}});
    return 0;
}

} // namespace lora::cli
