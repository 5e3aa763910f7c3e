// lora-cli approx: seed 002 — learn B A ≈ W by gradient descent and watch the loss settle
// on the truncated SVD's optimum.
#include "cli/common.h"
#include "io/matrix_file.h"
#include "linalg/gd_approximation.h"
#include "util/error.h"

#include <cstdio>

namespace lora::cli {
namespace {

std::string tableLine(const ImprovementRow& row) {
    char buf[96];
    if (row.iteration == 0)
        std::snprintf(buf, sizeof buf, "%-12d %-12.6f baseline", row.iteration, row.loss);
    else
        std::snprintf(buf, sizeof buf, "%-12d %-12.6f %6.2f%%", row.iteration, row.loss,
                      row.improvementPercent);
    return buf;
}

} // namespace

int runApprox(const Args& args) {
    Matrix w;
    const std::uint64_t seed = args.seed("seed");
    if (args.has("matrix")) {
        if (args.has("rows") || args.has("cols"))
            throw InputError("--rows/--cols describe a random matrix; drop them with --matrix");
        w = readMatrixFile(args.required("matrix"), args.text("tensor", ""));
    } else {
        const int rows = static_cast<int>(args.integer("rows", 8, 1, 4096));
        const int cols = static_cast<int>(args.integer("cols", 8, 1, 4096));
        Rng rng(seed);
        w = gaussianMatrix(rows, cols, rng);
    }
    GdApproxOptions options;
    // The factors' rank takes LoRA's one limit; validate() then bounds it by the matrix.
    options.rank = rankFrom(args, 2);
    options.steps = static_cast<int>(args.integer("steps", 1000, 0, 1000000));
    options.optimizer = args.text("optimizer", "adam");
    options.learningRate = args.number("lr", 0.01f);
    options.seed = seed;
    options.reportEvery = static_cast<int>(args.integer("report-every", 100, 1, 1000000));
    options.validate(static_cast<int>(w.rows()), static_cast<int>(w.cols()));

    logLine("approximating a " + std::to_string(w.rows()) + "×" + std::to_string(w.cols()) +
            " matrix at rank " + std::to_string(options.rank) + " with " + options.optimizer);
    logLine("Iteration    Loss         Improvement");
    const GdApproxResult result = approximateByGradientDescent(w, options);
    Json table = Json::array();
    for (const ImprovementRow& row : result.table) {
        logLine(tableLine(row));
        table.push_back({{"iteration", row.iteration},
                         {"loss", row.loss},
                         {"improvement_percent", row.improvementPercent}});
    }
    const double svdImprovement = result.initialLoss > 0.0 ? (result.initialLoss - result.svdLoss) /
                                                                 result.initialLoss * 100.0
                                                           : 0.0;
    logLine("SVD optimum " + std::to_string(result.svdLoss) + " (" +
            std::to_string(svdImprovement) + " % improvement); gradient descent is " +
            std::to_string(result.gapPercent) + " % above it");
    printResult({{"command", "approx"},
                 {"rows", w.rows()},
                 {"cols", w.cols()},
                 {"rank", options.rank},
                 {"steps", options.steps},
                 {"optimizer", options.optimizer},
                 {"lr", options.learningRate},
                 {"seed", seed},
                 {"initial_loss", result.initialLoss},
                 {"gd_loss", result.gdLoss},
                 {"svd_loss", result.svdLoss},
                 {"gap_percent", result.gapPercent},
                 {"improvement_percent",
                  result.table.empty() ? 0.0 : result.table.back().improvementPercent},
                 {"svd_improvement_percent", svdImprovement},
                 {"full_params", w.size()},
                 {"factor_params", static_cast<long long>(options.rank) * (w.rows() + w.cols())},
                 {"table", table},
                 {"curve", result.curve}});
    return 0;
}

} // namespace lora::cli
