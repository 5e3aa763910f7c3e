#include "cli/common.h"

#include "data/class_task.h"
#include "data/classes.h"
#include "io/matrix_file.h"
#include "io/model_file.h"
#include "linalg/rank.h"
#include "nn/model_budget.h"
#include "train/progress.h"
#include "util/error.h"
#include "util/list_parse.h"
#include "util/threads.h"

#include <iostream>

namespace lora::cli {

TaskData loadTask(const Args& args, const std::vector<int>& classes) {
    const SplitData split = loadMnist(args.text("data", ""));
    logLine("data: " + split.source + " (" + std::to_string(split.train.size()) + " train, " +
            std::to_string(split.test.size()) + " test)");
    // Refused before any training, rather than when the result is scored.
    return classTask(split, classes);
}

void logLine(const std::string& text) {
    std::cerr << text << std::endl;
}

void printResult(const Json& result) {
    std::cout << result.dump() << std::endl;
}

Json epochSeries(const std::vector<EpochProgress>& epochs) {
    Json series = Json::array();
    for (const auto& e : epochs)
        series.push_back({{"epoch", e.epoch},
                          {"train_loss", e.trainLoss},
                          {"valid_loss", e.validLoss},
                          {"accuracy", e.validAccuracy},
                          {"samples_per_s", e.samplesPerSecond}});
    return series;
}

} // namespace lora::cli

namespace lora::cli {

// The digits behind the base's outputs: recorded in the file, else 0..n-1 for ten outputs.
std::vector<int> modelClasses(const ModelInfo& info, const Mlp& model) {
    if (!info.classes.empty()) return info.classes;
    if (model.outputs() == 10) return {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    throw InputError("the base does not record its classes; pass --classes");
}

TrainOptions trainOptionsFrom(const Args& args, int epochs) {
    TrainOptions options;
    options.epochs = static_cast<int>(args.integer("epochs", epochs, 1, 100000));
    options.batchSize = static_cast<int>(args.integer("batch", 64, 1, 1 << 20));
    options.learningRate = args.number("lr", 0.01f);
    options.optimizer = args.text("optimizer", "adam");
    options.maxSteps = args.integer("max-steps", -1, 1, 1L << 40);
    options.seed = args.seed("seed") + 1;
    options.validate();
    // More than one thread is faster on large layers but no longer bit-reproducible.
    setComputeThreads(static_cast<int>(args.integer("threads", 1, 1, 256)));
    return options;
}

int rankFrom(const Args& args, int rank) {
    return static_cast<int>(args.integer("rank", rank, 1, kMaxRank));
}

std::vector<std::string> targetsFrom(const Args& args) {
    if (!args.has("targets")) return {};
    const std::string text = args.required("targets");
    if (text == "all") return {}; // like --classes all; an empty value is refused, never "all"
    const std::vector<std::string> names = parseNameList(text, "--targets");
    // As Mlp::checkLora says when attaching: every command refuses a repeat alike.
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (names[i] == names[j])
                throw InputError("target layer " + quotedName(names[i]) + " is listed twice");
    return names;
}

LoraConfig loraConfigFrom(const Args& args) {
    LoraConfig lora;
    lora.spec.rank = rankFrom(args, 4);
    lora.spec.alpha = args.number("alpha", 1.0f);
    if (!(lora.spec.alpha > 0.0f)) throw InputError("--alpha must be greater than 0");
    lora.spec.rslora = args.has("rslora");
    lora.spec.init = loraInitFromString(args.text("init", "kaiming"));
    lora.spec.validate();
    lora.targets = targetsFrom(args);
    return lora;
}

std::vector<int> chooseClasses(const Args& args, const LoadedModel& base) {
    const std::vector<int> classes = args.has("classes") ? parseClasses(args.text("classes", ""))
                                                         : modelClasses(base.info, base.model);
    if (static_cast<int>(classes.size()) != base.model.outputs())
        throw InputError("the base has " + std::to_string(base.model.outputs()) + " outputs but " +
                         std::to_string(classes.size()) + " classes were chosen");
    return classes;
}

} // namespace lora::cli

namespace lora::cli {

// The matrix named by --matrix FILE [--tensor NAME] or --example NAME (exactly one).
Matrix chooseMatrix(const Args& args) {
    if (args.has("matrix") == args.has("example"))
        throw InputError("give exactly one of --matrix FILE or --example rank1|rank2|zeros");
    if (args.has("example")) return rankExample(args.required("example"));
    Matrix m = readMatrixFile(args.required("matrix"), args.text("tensor", ""));
    checkSvdBudget(m.rows(), m.cols(), "--matrix " + args.required("matrix"));
    return m;
}

std::optional<TensorDType> dtypeFrom(const Args& args) {
    const std::string d = args.text("dtype", "keep");
    if (d == "keep") return std::nullopt;
    if (d == "f32") return TensorDType::F32;
    if (d == "f16") return TensorDType::F16;
    if (d == "bf16") return TensorDType::BF16;
    throw InputError("--dtype must be keep, f32, f16 or bf16 (got '" + d + "')");
}

} // namespace lora::cli
