// lora-cli convert: a real LoRA file rewritten in another format (PEFT, kohya, diffusers), or
// its own normalised, with every module's ΔW kept.
#include "cli/common.h"
#include "io/lora_convert.h"

namespace lora::cli {

int runConvert(const Args& args) {
    const std::string path = args.required("path");
    const std::string out = args.required("out");
    ConvertOptions options;
    options.to = convertTargetFrom(args.required("to"));
    options.dtype = dtypeFrom(args);
    const FileConvert result = convertLoraFile(path, out, options);
    Json modules = Json::array();
    for (const ConvertedModule& m : result.modules)
        modules.push_back({{"name", m.from}, {"new_name", m.to}, {"rank", m.rank}});
    logLine(std::string(toString(result.from)) + " -> " + toString(result.to) + ": " +
            std::to_string(result.modules.size()) + " modules, " +
            std::to_string(result.bytesBefore) + " -> " + std::to_string(result.bytesAfter) +
            " bytes");
    printResult({{"command", "convert"},
                 {"path", path},
                 {"out", out},
                 {"format", toString(result.from)},
                 {"to", toString(result.to)},
                 {"modules", modules},
                 {"bytes_before", result.bytesBefore},
                 {"bytes_after", result.bytesAfter}});
    return 0;
}

} // namespace lora::cli
