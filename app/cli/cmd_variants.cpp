// lora-cli variants: initialisations and scaling rules trained side by side on one task.
// lora-cli scaling: a rank sweep at fixed α under α/r and under rsLoRA's α/√r.
#include "cli/common.h"
#include "train/variants.h"
#include "util/error.h"

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

std::vector<std::string> targetsFrom(const Args& args) {
    return args.has("targets") ? splitList(args.required("targets")) : std::vector<std::string>{};
}

struct Task {
    LoadedModel base;
    std::vector<int> classes;
    TaskData data;
};

// Every variant is checked against the base before the data loads, so a bad one costs
// nothing and prints one line.
Task loadVariantTask(const Args& args, const std::vector<LoraVariant>& variants) {
    Task t{loadModel(args.required("base")), {}, {}};
    t.classes = chooseClasses(args, t.base);
    for (const LoraVariant& v : variants) t.base.model.checkLora({v.spec, targetsFrom(args)});
    t.data = loadTask(args, t.classes);
    return t;
}

void printProgress(const std::vector<VariantRun>& runs) {
    const VariantRun& r = runs.back();
    logLine(r.variant.name() + ": accuracy " + std::to_string(r.accuracy) + " %, ‖ΔW‖ " +
            std::to_string(r.deltaNorm));
}

const std::set<std::string> kFlags = {
    "base",   "classes", "variants", "ranks", "rank", "alpha",     "targets",   "init",
    "epochs", "lr",      "batch",    "seed",  "data", "max-steps", "optimizer", "threads"};

} // namespace

int runVariants(const std::vector<std::string>& argv) {
    const Args args(argv, kFlags, {});
    const int rank = static_cast<int>(args.integer("rank", 4, 1, 4096));
    const float alpha = args.number("alpha", 8.0f);
    std::vector<LoraVariant> variants;
    for (const std::string& v : splitList(args.text("variants", "kaiming,gaussian,kaiming+rslora")))
        variants.push_back(LoraVariant::parse(v, rank, alpha));
    const TrainOptions options = trainOptionsFrom(args, 1);
    const Task task = loadVariantTask(args, variants);
    const auto runs = compareVariants(task.base.model, task.data.train, task.data.test, variants,
                                      targetsFrom(args), options, args.seed("seed"), printProgress);
    Json out = Json::array();
    for (const VariantRun& r : runs) out.push_back(runJson(r));
    printResult({{"command", "variants"}, {"classes", task.classes}, {"runs", out}});
    return 0;
}

int runScaling(const std::vector<std::string>& argv) {
    const Args args(argv, kFlags, {});
    const float alpha = args.number("alpha", 8.0f);
    const std::string init = args.text("init", "kaiming");
    std::vector<LoraVariant> variants;
    for (const std::string& r : splitList(args.text("ranks", "1,2,4,8,16,32,64"))) {
        char* end = nullptr;
        const long rank = std::strtol(r.c_str(), &end, 10);
        if (r.empty() || *end != '\0' || rank < 1 || rank > 4096)
            throw InputError("--ranks: '" + r + "' is not a rank between 1 and 4096");
        for (const char* rule : {"", "+rslora"})
            variants.push_back(LoraVariant::parse(init + rule, static_cast<int>(rank), alpha));
    }
    const TrainOptions options = trainOptionsFrom(args, 1);
    const Task task = loadVariantTask(args, variants);
    const auto runs = compareVariants(task.base.model, task.data.train, task.data.test, variants,
                                      targetsFrom(args), options, args.seed("seed"), printProgress);
    Json rows = Json::array();
    for (std::size_t i = 0; i + 1 < runs.size(); i += 2) {
        const VariantRun &standard = runs[i], &rs = runs[i + 1];
        rows.push_back({{"rank", standard.variant.spec.rank},
                        {"scale", standard.variant.spec.scale()},
                        {"scale_rslora", rs.variant.spec.scale()},
                        {"delta_norm", standard.deltaNorm},
                        {"delta_norm_rslora", rs.deltaNorm},
                        {"accuracy", standard.accuracy},
                        {"accuracy_rslora", rs.accuracy},
                        {"final_loss", standard.run.lastTrainLoss},
                        {"final_loss_rslora", rs.run.lastTrainLoss}});
    }
    printResult({{"command", "scaling"}, {"alpha", alpha}, {"init", init}, {"rows", rows}});
    return 0;
}

} // namespace lora::cli
