// lora-cli forgetting: the same base fine-tuned on new digits twice — fully and with LoRA —
// scored after every epoch on the new task and on the base's old one.
#include "cli/common.h"
#include "data/classes.h"
#include "train/forgetting.h"
#include "util/error.h"

namespace lora::cli {

namespace {

// Prints one stderr line per scored epoch.
class ForgettingPrinter : public ForgettingObserver {
public:
    void onEpoch(ForgettingRun run, const ForgettingPoint& p) override {
        const std::string epoch = "epoch " + std::to_string(p.epoch);
        if (run == ForgettingRun::Full)
            logLine("full " + epoch + ": new task " + std::to_string(p.fullNew) + " %, old task " +
                    std::to_string(p.fullOld) + " %");
        else
            logLine("LoRA " + epoch + ": new task " + std::to_string(p.loraNew) +
                    " %, old task with the adapter on " + std::to_string(p.loraOnOld) + " %, off " +
                    std::to_string(p.loraOffOld) + " %");
    }
};

Json seriesJson(const std::vector<ForgettingPoint>& series) {
    Json out = Json::array();
    for (const ForgettingPoint& p : series)
        out.push_back({{"epoch", p.epoch},
                       {"full_new", p.fullNew},
                       {"full_old", p.fullOld},
                       {"lora_new", p.loraNew},
                       {"lora_on_old", p.loraOnOld},
                       {"lora_off_old", p.loraOffOld}});
    return out;
}

Json updatesJson(const Mlp& base, const std::vector<LayerUpdate>& updates) {
    Json out = Json::array();
    for (const LayerUpdate& u : updates) {
        const Eigen::VectorXd& s = u.full.singularValues;
        const auto top = std::min<Eigen::Index>(s.size(), 16);
        out.push_back(
            {{"layer", base.layerName(u.layer)},
             {"full_delta_norm", u.full.frobeniusNorm},
             {"full_delta_numerical_rank", u.full.numericalRank},
             {"full_delta_top_singular_values", std::vector<double>(s.data(), s.data() + top)},
             {"lora_rank", u.loraRank},
             {"full_energy_in_top_r", u.energyTopR},
             {"lora_delta_norm", u.loraNorm}});
    }
    return out;
}

} // namespace

int runForgetting(const Args& args) {
    const LoadedModel loaded = loadModel(args.required("base"));
    const std::vector<int> oldClasses = args.has("old-classes")
                                            ? parseClasses(args.required("old-classes"))
                                            : modelClasses(loaded.info, loaded.model);
    if (static_cast<int>(oldClasses.size()) != loaded.model.outputs())
        throw InputError("--old-classes has " + std::to_string(oldClasses.size()) +
                         " digits but the base has " + std::to_string(loaded.model.outputs()) +
                         " outputs");
    const std::vector<int> newClasses = parseClasses(args.required("classes"));
    if (newClasses.size() != oldClasses.size())
        throw InputError("--classes has " + std::to_string(newClasses.size()) +
                         " digits but the base has " + std::to_string(oldClasses.size()) +
                         " outputs");
    if (newClasses == oldClasses)
        throw InputError("--classes equals the old task (" + formatClasses(oldClasses) +
                         "); choose different digits");
    const LoraConfig lora = loraConfigFrom(args);
    const TrainOptions options = trainOptionsFrom(args, 5);

    const SplitData split = loadMnist(args.text("data", ""));
    const ForgettingTasks tasks{filterClassesRemap(split.train, newClasses),
                                filterClassesRemap(split.test, newClasses),
                                filterClassesRemap(split.test, oldClasses)};
    ForgettingPrinter printer;
    const ForgettingResult r =
        measureForgetting(loaded.model, tasks, lora, options, args.seed("seed"), &printer);
    const ForgettingPoint& last = r.series.back();

    printResult({{"command", "forgetting"},
                 {"old_classes", oldClasses},
                 {"classes", newClasses},
                 {"rank", lora.spec.rank},
                 {"alpha", lora.spec.alpha},
                 {"epochs", options.epochs},
                 {"base_old_accuracy", r.baseOld},
                 {"base_new_accuracy", r.baseNew},
                 {"full_old_accuracy", last.fullOld},
                 {"full_new_accuracy", last.fullNew},
                 {"lora_off_old_accuracy", last.loraOffOld},
                 {"lora_on_old_accuracy", last.loraOnOld},
                 {"lora_new_accuracy", last.loraNew},
                 {"full_steps", r.fullRun.steps},
                 {"lora_steps", r.loraRun.steps},
                 {"series", seriesJson(r.series)},
                 {"updates", updatesJson(loaded.model, r.updates)}});
    return 0;
}

} // namespace lora::cli
