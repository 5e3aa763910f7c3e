// lora-cli resize: a real LoRA file cut to a lower rank, module by module, as kohya's
// resize_lora.py does it but from the thin factors: the best rank-r′ part of each ΔW with its
// scale kept, written in the file's own format.
#include "cli/common.h"
#include "io/lora_file.h"
#include "io/lora_file_write.h"
#include "linalg/lora_resize.h"
#include "util/error.h"

#include <cmath>
#include <optional>
#include <set>

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

std::optional<TensorDType> dtypeFrom(const Args& args) {
    const std::string d = args.text("dtype", "keep");
    if (d == "keep") return std::nullopt;
    if (d == "f32") return TensorDType::F32;
    if (d == "f16") return TensorDType::F16;
    if (d == "bf16") return TensorDType::BF16;
    throw InputError("--dtype must be keep, f32, f16 or bf16 (got '" + d + "')");
}

} // namespace

int runResize(const Args& args) {
    const std::string path = args.required("path");
    const std::string out = args.required("out");
    const ResizeRule rule = ruleFrom(args);
    LoraWriteOptions options;
    options.dtype = dtypeFrom(args);
    LoraSource source;
    const LoraFile file = readLoraFile(path, &source);

    std::vector<ModuleReplacement> replaced;
    Json modules = Json::array();
    std::set<int> newRanks;
    for (const LoraModule& m : file.modules) {
        const ResizedModule r = resizeModule(m, rule, file.rslora);
        Json j = {{"name", r.name},
                  {"rank", r.rank},
                  {"new_rank", r.newRank},
                  {"fro_retained", r.froRetained},
                  {"resized", r.resized}};
        if (!r.reason.empty()) j["reason"] = r.reason;
        modules.push_back(j);
        if (m.kind == ModuleKind::Lora) newRanks.insert(r.newRank);
        if (r.resized) replaced.push_back({r.name, r.up, r.down, r.alpha});
    }
    if (source.tensors.metadata.count("ss_network_dim")) {
        const bool one = newRanks.size() == 1;
        options.metadata["ss_network_dim"] = one ? std::to_string(*newRanks.begin()) : "Dynamic";
        options.metadata["ss_network_alpha"] = "Dynamic"; // each module's alpha keeps its scale
    }
    const std::uint64_t written = writeLoraFile(out, source, file, replaced, options);
    logLine("resized " + std::to_string(replaced.size()) + " of " +
            std::to_string(file.modules.size()) + " modules: " + std::to_string(file.bytes) +
            " -> " + std::to_string(written) + " bytes");
    printResult({{"command", "resize"},
                 {"path", path},
                 {"out", out},
                 {"format", toString(file.format)},
                 {"modules", modules},
                 {"bytes_before", file.bytes},
                 {"bytes_after", written}});
    return 0;
}

} // namespace lora::cli
