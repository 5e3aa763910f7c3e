// lora-cli combine: real LoRA files holding the same modules combined into one (cat exact, svd
// the best rank-R part of Σ wᵢ·ΔWᵢ, linear PEFT's formula with its cross terms reported).
#include "cli/common.h"
#include "linalg/lora_file_combine.h"
#include "util/error.h"
#include "util/list_parse.h"

namespace lora::cli {

namespace {

// The bare paths Args gathered into --inputs, or --inputs A,B,… itself.
std::vector<std::string> inputPaths(const Args& args) {
    return splitList(args.required("inputs"), "--inputs");
}

std::vector<double> weightsFrom(const Args& args) {
    std::vector<double> weights;
    if (!args.has("weights")) return weights;
    for (float w : parseFloatList(args.required("weights"), "--weights")) weights.push_back(w);
    return weights;
}

} // namespace

int runCombine(const Args& args) {
    FileCombineOptions options;
    options.method = combineMethodFromString(args.text("method", "cat"));
    options.weights = weightsFrom(args);
    if (args.has("rank")) {
        if (options.method != CombineMethod::Svd)
            throw InputError("--rank is the svd method's new rank; cat and linear set their own");
        options.rank = static_cast<int>(args.integer("rank", 0, 1, kMaxRank));
    }
    if (args.has("to")) options.to = convertTargetFrom(args.required("to"));
    options.dtype = dtypeFrom(args);
    const std::vector<std::string> paths = inputPaths(args);
    const std::string out = args.required("out");
    const FileCombine result = combineLoraFiles(paths, out, options);
    Json modules = Json::array();
    for (const CombinedModule& m : result.modules) {
        Json j = {{"name", m.name}, {"ranks_in", m.ranksIn}, {"rank_out", m.rankOut}};
        if (options.method == CombineMethod::Svd) j["fro_retained"] = m.froRetained;
        if (options.method == CombineMethod::Linear) j["linear_gap"] = m.linearGap;
        modules.push_back(j);
    }
    logLine(std::string(toString(options.method)) + " of " + std::to_string(paths.size()) +
            " files: " + std::to_string(result.modules.size()) + " modules, " +
            std::to_string(result.bytesOut) + " bytes");
    printResult({{"command", "combine"},
                 {"inputs", paths},
                 {"out", out},
                 {"method", toString(options.method)},
                 {"format", toString(result.format)},
                 {"modules", modules},
                 {"bytes_in", result.bytesIn},
                 {"bytes_out", result.bytesOut}});
    return 0;
}

} // namespace lora::cli
