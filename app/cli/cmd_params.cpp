// lora-cli params: what LoRA trains and what memory it saves, for an MLP architecture or a
// preset with published shapes (GPT-2 small, Llama-2-7B, the seeds' layers).
#include "cli/common.h"
#include "linalg/parameter_budget.h"
#include "util/error.h"

#include <cstdio>

namespace lora::cli {
namespace {

// 124734720 -> "124,734,720", as PEFT's print_trainable_parameters writes counts.
std::string grouped(std::int64_t n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
    return digits;
}

Json budgetJson(const ParameterBudget& b) {
    Json layers = Json::array();
    for (const LayerBudget& l : b.layers)
        layers.push_back({{"name", l.name},
                          {"in", l.in},
                          {"out", l.out},
                          {"repeat", l.repeat},
                          {"target", l.target},
                          {"base_params", l.baseParams},
                          {"lora_params", l.loraParams}});
    Json memory = Json::array();
    for (const MemoryRow& m : b.memory)
        memory.push_back({{"method", m.method},
                          {"precision", m.precision},
                          {"weight_bytes", m.weightBytes},
                          {"gradient_bytes", m.gradientBytes},
                          {"optimizer_bytes", m.optimizerBytes},
                          {"total_bytes", m.totalBytes}});
    return {{"command", "params"},
            {"model", b.model},
            {"rank", b.rank},
            {"alpha", b.alpha},
            {"scale", b.scale},
            {"targets", b.targets},
            {"base_params", b.baseParams},
            {"trainable_params", b.loraParams},
            {"all_params", b.totalParams},
            {"trainable_percent", b.trainablePercent},
            {"increment_percent", b.incrementPercent},
            {"reduction", b.reduction},
            {"layers", layers},
            {"memory", memory}};
}

} // namespace

int runParams(const Args& args) {
    if (args.has("arch") == args.has("preset"))
        throw InputError("give exactly one of --arch A or --preset NAME");
    const ModelShape shape =
        args.has("arch") ? mlpShape(args.required("arch")) : presetShape(args.required("preset"));
    const int rank = rankFrom(args, shape.defaultRank);
    const float alpha = args.number("alpha", shape.defaultAlpha);
    const std::vector<std::string> targets =
        args.has("targets") ? targetsFrom(args) : shape.defaultTargets;
    const ParameterBudget budget = computeBudget(shape, rank, alpha, targets, args.has("rslora"));

    // The line PEFT's print_trainable_parameters() prints, for side-by-side comparison.
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.4f", budget.trainablePercent);
    char increment[32];
    std::snprintf(increment, sizeof increment, "%.3f", budget.incrementPercent);
    logLine("trainable params: " + grouped(budget.loraParams) +
            " || all params: " + grouped(budget.totalParams) + " || trainable%: " + percent +
            "  (LoRA adds " + increment + " % to the base's " + grouped(budget.baseParams) + ")");
    printResult(budgetJson(budget));
    return 0;
}

} // namespace lora::cli
