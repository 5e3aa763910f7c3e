// lora-cli eval: accuracy, confusion and logits of a base (with or without an adapter).
#include "cli/common.h"
#include "data/classes.h"
#include "io/adapter_dir.h"
#include "io/atomic_file.h"
#include "io/model_file.h"
#include "nn/model_budget.h"
#include "train/adapter_view.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <cmath>
#include <cstdio>

namespace lora::cli {
namespace {

// One row per sample: label,logit0,logit1,… with enough digits to round-trip a float.
std::string logitsCsv(const Dataset& data, const Matrix& logits) {
    std::string csv;
    char buf[32];
    for (int i = 0; i < data.size(); ++i) {
        csv += std::to_string(data.labels[i]);
        for (Eigen::Index j = 0; j < logits.cols(); ++j) {
            std::snprintf(buf, sizeof buf, ",%.9g", logits(i, j));
            csv += buf;
        }
        csv += '\n';
    }
    return csv;
}

// Finite inputs can still overflow (weights of 3e38): refuse rather than print NaN or -nan.
void requireFinite(const Evaluation& ev, const std::string& which) {
    if (!std::isfinite(ev.loss))
        throw InputError(which + " loss is not finite: the weights overflow float arithmetic");
    checkFinite(ev.logits, which + " logits");
}

// --alpha A and --rank R: the adapter as the GUI's live sliders show it (train/adapter_view.h).
AdapterView viewFrom(const Args& args) {
    AdapterView view;
    if (args.has("alpha")) view.alpha = args.number("alpha", 0.0f);
    if (args.has("rank")) view.rank = static_cast<int>(args.integer("rank", 0, 1, kMaxRank));
    if ((view.alpha || view.rank) && !args.has("adapter"))
        throw InputError(std::string(view.alpha ? "--alpha" : "--rank") + " needs --adapter");
    return view;
}

// The view's α and r′ join the result only when asked for.
Json withView(Json result, const AdapterView& view) {
    if (view.alpha) result["view_alpha"] = *view.alpha;
    if (view.rank) result["view_rank"] = *view.rank;
    return result;
}

} // namespace

int runEval(const Args& args) {
    LoadedModel loaded = loadModel(args.required("base"));
    Mlp& model = loaded.model;
    const std::vector<int> classes = chooseClasses(args, loaded);
    const bool merged = args.has("merged");
    const bool noLora = args.has("no-lora");
    if (merged && noLora) throw InputError("--merged and --no-lora cannot be combined");
    if ((merged || noLora) && !args.has("adapter"))
        throw InputError(std::string(merged ? "--merged" : "--no-lora") + " needs --adapter");
    const AdapterView view = viewFrom(args);
    if (args.has("adapter")) {
        loadAdapter(args.required("adapter"), model);
        if (view.alpha || view.rank) attachAdapter(model, viewOf(extractAdapter(model), view));
    }

    const TaskData task = loadTask(args, classes);
    if (noLora) model.setLoraEnabled(false);

    Evaluation ev = evaluate(model, task.test, true);
    requireFinite(ev, "the model's");
    double mergeDiff = 0.0;
    if (merged) {
        // Compare the merged weights' logits against the unmerged two-path forward.
        model.mergeLora();
        const Evaluation mergedEv = evaluate(model, task.test, true);
        requireFinite(mergedEv, "the merged model's");
        mergeDiff = (mergedEv.logits - ev.logits).cwiseAbs().maxCoeff();
        ev = mergedEv;
    }
    if (args.has("logits"))
        writeFileAtomic(args.required("logits"), logitsCsv(task.test, ev.logits));

    Json perClass = Json::object();
    for (std::size_t i = 0; i < classes.size(); ++i)
        perClass[std::to_string(classes[i])] = ev.errorsPerClass[i];
    printResult(withView({{"command", "eval"},
                          {"arch", model.architecture()},
                          {"classes", classes},
                          {"lora", model.hasLora() && !noLora},
                          {"merged", merged},
                          {"accuracy", ev.accuracy},
                          {"loss", ev.loss},
                          {"correct", ev.correct},
                          {"total", ev.total},
                          {"per_class_errors", perClass},
                          {"confusion", ev.confusion},
                          {"merge_max_abs_diff", mergeDiff}},
                         view));
    return 0;
}

} // namespace lora::cli
