// lora-cli resize: a real LoRA file cut to a lower rank, module by module, as kohya's
// resize_lora.py does it but from the thin factors: the best rank-r′ part of each ΔW with its
// scale kept, written in the file's own format.
#include "cli/common.h"
#include "linalg/lora_file_resize.h"
#include "util/error.h"

#include <cmath>
#include <optional>

namespace lora::cli {

namespace {

ResizeRule ruleFrom(const Args& args) {
    const struct {
        const char* flag;
        ResizeMethod method;
    } methods[] = {{"rank", ResizeMethod::Rank},
                   {"sv-ratio", ResizeMethod::SvRatio},
                   {"sv-fro", ResizeMethod::SvFro},
                   {"sv-cumulative", ResizeMethod::SvCumulative}};
    ResizeRule rule;
    int given = 0;
    for (const auto& m : methods) {
        if (!args.has(m.flag)) continue;
        ++given;
        rule.method = m.method;
        rule.value = m.method == ResizeMethod::Rank
                         ? static_cast<double>(args.integer("rank", 1, 1, kMaxRank))
                         : args.number(m.flag, 1.0f);
    }
    if (given != 1)
        throw InputError(
            "resize needs exactly one of --rank, --sv-ratio, --sv-fro, --sv-cumulative");
    if (rule.method == ResizeMethod::SvRatio && !(rule.value >= 1))
        throw InputError("--sv-ratio must be at least 1 (σ₀/σ of the last direction kept)");
    if ((rule.method == ResizeMethod::SvFro || rule.method == ResizeMethod::SvCumulative) &&
        !(rule.value > 0 && rule.value <= 1))
        throw InputError(std::string("--") +
                         (rule.method == ResizeMethod::SvFro ? "sv-fro" : "sv-cumulative") +
                         " must be in (0, 1]");
    if (args.has("max-rank")) {
        if (rule.method == ResizeMethod::Rank)
            throw InputError("--max-rank caps the dynamic methods; with --rank it says nothing");
        rule.maxRank = static_cast<int>(args.integer("max-rank", 0, 1, kMaxRank));
    }
    return rule;
}

} // namespace

int runResize(const Args& args) {
    const std::string path = args.required("path");
    const std::string out = args.required("out");
    const ResizeRule rule = ruleFrom(args);
    LoraWriteOptions options;
    options.dtype = dtypeFrom(args);
    const FileResize result = resizeLoraFile(path, out, rule, options);
    Json modules = Json::array();
    for (const ResizedModule& r : result.modules) {
        Json j = {{"name", r.name},
                  {"rank", r.rank},
                  {"new_rank", r.newRank},
                  {"fro_retained", r.froRetained},
                  {"resized", r.resized}};
        if (!r.reason.empty()) j["reason"] = r.reason;
        modules.push_back(j);
    }
    logLine("resized " + std::to_string(result.resizedCount) + " of " +
            std::to_string(result.modules.size()) +
            " modules: " + std::to_string(result.bytesBefore) + " -> " +
            std::to_string(result.bytesAfter) + " bytes");
    printResult({{"command", "resize"},
                 {"path", path},
                 {"out", out},
                 {"format", toString(result.format)},
                 {"modules", modules},
                 {"bytes_before", result.bytesBefore},
                 {"bytes_after", result.bytesAfter}});
    return 0;
}

} // namespace lora::cli
