#include "cli/variant_task.h"

namespace lora::cli {

VariantTask loadVariantTask(const Args& args, const std::vector<LoraVariant>& variants,
                            const std::vector<std::string>& targets) {
    VariantTask t{loadModel(args.required("base")), {}, {}};
    t.classes = chooseClasses(args, t.base);
    checkVariants(t.base.model, variants, targets);
    t.data = loadTask(args, t.classes);
    return t;
}

void printRunProgress(const std::vector<VariantRun>& runs) {
    const VariantRun& r = runs.back();
    logLine(r.variant.name() + ": accuracy " + std::to_string(r.accuracy) + " %, ‖ΔW‖ " +
            std::to_string(r.deltaNorm));
}

} // namespace lora::cli
