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

#include <algorithm>
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

} // namespace

int runFinetune(const std::vector<std::string>& argv) {
    const Args args(argv,
                    {"base", "classes", "train-digits", "rank", "alpha", "targets", "init",
                     "epochs", "lr", "batch", "seed", "max-steps", "out", "data", "optimizer",
                     "threads"},
                    {"rslora", "full"});
    LoadedModel loaded = loadModel(args.required("base"));
    Mlp& model = loaded.model;
    const std::vector<int> classes = chooseClasses(args, loaded);
    const bool full = args.has("full");
    const LoraConfig lora = loraConfigFrom(args);
    const TrainOptions options = trainOptionsFrom(args, 5);
    const std::uint64_t seed = args.seed("seed");
    const std::string out = args.text("out", "");

    TaskData task = loadTask(args, classes);
    std::vector<int> trainPositions; // remapped labels of --train-digits
    if (args.has("train-digits")) {
        for (int d : parseClasses(args.text("train-digits", ""))) {
            auto it = std::find(classes.begin(), classes.end(), d);
            if (it == classes.end())
                throw InputError("--train-digits: digit " + std::to_string(d) +
                                 " is not among the classes " + formatClasses(classes));
            trainPositions.push_back(static_cast<int>(it - classes.begin()));
        }
        task.train = filterKeepLabels(task.train, trainPositions);
    }

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
    if (!full) {
        result["rank"] = lora.spec.rank;
        result["alpha"] = lora.spec.alpha;
        result["rslora"] = lora.spec.rslora;
        result["scale"] = lora.spec.scale();
        result["init"] = toString(lora.spec.init);
        Json targets = Json::array();
        for (int i = 0; i < model.layerCount(); ++i)
            if (model.adapter(i)) targets.push_back(model.layerName(i));
        result["targets"] = targets;
    }
    if (!trainPositions.empty()) {
        result["wrong_before"] = wrongAmong(before, trainPositions);
        result["wrong_after"] = wrongAmong(after, trainPositions);
    }
    printResult(result);
    return 0;
}

} // namespace lora::cli
