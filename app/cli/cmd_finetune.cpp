// lora-cli finetune: adapt a trained base to new digits with LoRA (or full fine-tuning).
#include "cli/common.h"
#include "cli/progress_printer.h"
#include "data/classes.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "nn/architecture.h"
#include "train/evaluate.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/threads.h"

#include <cstring>

namespace lora::cli {
namespace {

bool sameBits(const Matrix& a, const Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

bool sameBits(const Vector& a, const Vector& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

// Bit-for-bit comparison of every base weight and bias.
bool baseUnchanged(const Mlp& before, const Mlp& after) {
    for (int i = 0; i < before.layerCount(); ++i)
        if (!sameBits(before.layer(i).W, after.layer(i).W) ||
            !sameBits(before.layer(i).b, after.layer(i).b))
            return false;
    return true;
}

// Wrong predictions on the test samples whose (remapped) label is in `positions`.
int wrongAmong(const Evaluation& ev, const std::vector<int>& positions) {
    int wrong = 0;
    for (int p : positions) wrong += ev.errorsPerClass[p];
    return wrong;
}

// The adapter's spec and the layers it ended up on.
void addLoraJson(Json& result, const LoraSpec& spec, const Mlp& model) {
    result["rank"] = spec.rank;
    result["alpha"] = spec.alpha;
    result["rslora"] = spec.rslora;
    result["scale"] = spec.scale();
    result["init"] = toString(spec.init);
    Json targets = Json::array();
    for (int i = 0; i < model.layerCount(); ++i)
        if (model.adapter(i)) targets.push_back(model.layerName(i));
    result["targets"] = targets;
}

} // namespace

int runFinetune(const Args& given) {
    const Args args = withSettingsDefaults(given, SettingsRole::FineTune);
    LoadedModel loaded = loadModel(args.required("base"));
    Mlp& model = loaded.model;
    const std::vector<int> classes = chooseClasses(args, loaded);
    const bool full = args.has("full");
    const LoraConfig lora = loraConfigFrom(args);
    const TrainOptions options = trainOptionsFrom(args, 5);
    const std::uint64_t seed = args.seed("seed");
    const std::string out = args.text("out", "");

    // The remapped labels of --train-digits, checked before the data loads.
    const std::vector<int> trainPositions =
        args.has("train-digits")
            ? classPositions(classes, parseClasses(args.required("train-digits")), "--train-digits")
            : std::vector<int>{};
    TaskData task = loadTask(args, classes);
    if (!trainPositions.empty()) task.train = filterKeepLabels(task.train, trainPositions);

    const Mlp original = model;
    const Evaluation before = evaluate(model, task.test);
    Rng rng(seed);
    if (!full) {
        model.attachLora(lora, rng);
        for (const OversizedRank& o : oversizedRanks(model.widths(), lora.targets, lora.spec.rank))
            logLine("warning: " + describe(o, lora.spec.rank));
    }
    const std::size_t trainable = model.trainableParamCount();
    const std::size_t total = model.baseParamCount();
    logLine((full ? "full fine-tune: " : "LoRA: ") + std::to_string(trainable) + " trainable of " +
            std::to_string(total) + " parameters");

    ProgressPrinter printer(full ? "full" : "lora");
    const TrainResult run = Trainer(model, options).run(task.train, &task.test, &printer);
    if (run.diverged) throw InputError("training " + divergenceMessage(run) + " (nothing written)");
    const Evaluation after = evaluate(model, task.test);
    Mlp detached = model; // PiSSA keeps a residual W while attached; detaching restores it
    detached.detachLora();
    const bool unchanged = baseUnchanged(original, detached);

    if (!out.empty()) {
        if (full)
            saveModel(out, model, ModelInfo{classes});
        else
            saveAdapter(out, model, AdapterInfo{classes, args.required("base")});
    }

    Json result = {
        {"command", "finetune"},
        {"mode", full ? "full" : "lora"},
        {"arch", model.architecture()},
        {"classes", classes},
        {"accuracy", after.accuracy},
        {"accuracy_before", before.accuracy},
        {"loss", after.loss},
        {"trainable_params", trainable},
        {"total_params", total},
        {"trainable_percent", 100.0 * static_cast<double>(trainable) / static_cast<double>(total)},
        {"base_unchanged", unchanged},
        {"steps", run.steps},
        {"samples_per_s", run.samplesPerSecond},
        {"seconds", run.seconds},
        {"train_samples", task.train.size()},
        {"epochs", epochSeries(run.epochs)},
        {"out", out}};
    if (!full) addLoraJson(result, lora.spec, model);
    if (!trainPositions.empty()) {
        result["wrong_before"] = wrongAmong(before, trainPositions);
        result["wrong_after"] = wrongAmong(after, trainPositions);
    }
    printResult(result);
    return 0;
}

} // namespace lora::cli
