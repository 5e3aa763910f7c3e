// lora-cli train: a base MLP from scratch on the chosen digits.
#include "cli/common.h"
#include "cli/progress_printer.h"
#include "data/classes.h"
#include "io/model_file.h"
#include "nn/architecture.h"
#include "nn/model_budget.h"
#include "train/evaluate.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/threads.h"

namespace lora::cli {

int runTrain(const Args& given) {
    const Args args = withSettingsDefaults(given, SettingsRole::Base);
    const std::vector<int> widths = parseArchitecture(args.text("arch", "784-64-2"));
    const std::vector<int> classes = parseClasses(args.text("classes", "all"));
    const TrainOptions options = trainOptionsFrom(args, 1);
    const std::uint64_t seed = args.seed("seed");
    const std::string out = args.text("out", "");
    checkModelBudget(widths, options.batchSize); // before the data is loaded
    if (widths.back() != static_cast<int>(classes.size()))
        throw InputError("architecture " + formatArchitecture(widths) + " has " +
                         std::to_string(widths.back()) + " outputs but " +
                         std::to_string(classes.size()) + " classes were chosen");

    const TaskData task = loadTask(args, classes);
    if (widths.front() != task.train.features())
        throw InputError("architecture " + formatArchitecture(widths) + " takes " +
                         std::to_string(widths.front()) + " inputs but images have " +
                         std::to_string(task.train.features()) + " pixels");

    Mlp model(widths);
    Rng rng(seed);
    model.initDefault(rng);
    ProgressPrinter printer("base");
    const TrainResult run = Trainer(model, options).run(task.train, &task.test, &printer);
    if (run.diverged) throw InputError("training " + divergenceMessage(run) + " (nothing written)");
    const Evaluation ev = evaluate(model, task.test);
    if (!out.empty()) saveModel(out, model, ModelInfo{classes});

    printResult({{"command", "train"},
                 {"arch", model.architecture()},
                 {"classes", classes},
                 {"accuracy", ev.accuracy},
                 {"loss", ev.loss},
                 {"train_loss", run.epochs.empty() ? 0.0f : run.epochs.back().trainLoss},
                 {"total_params", model.baseParamCount()},
                 {"steps", run.steps},
                 {"samples_per_s", run.samplesPerSecond},
                 {"seconds", run.seconds},
                 {"train_samples", task.train.size()},
                 {"test_samples", task.test.size()},
                 {"epochs", epochSeries(run.epochs)},
                 {"out", out}});
    return 0;
}

} // namespace lora::cli
