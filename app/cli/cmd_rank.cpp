// lora-cli rank: the numerical rank of a matrix and the singular values behind it.
#include "cli/common.h"
#include "linalg/rank.h"
#include "util/error.h"

namespace lora::cli {

int runRank(const Args& args) {
    const Matrix w = chooseMatrix(args);
    const float tolerance = args.number("tolerance", -1.0f);
    if (args.has("tolerance") && tolerance < 0.0f)
        throw InputError("--tolerance must be ≥ 0 (got " + args.text("tolerance", "") + ")");

    // Values only: the rank needs no singular vectors.
    const Eigen::VectorXd sigma = singularValues(w);
    const double used =
        tolerance >= 0.0f ? tolerance
                          : defaultRankTolerance(sigma.size() ? sigma(0) : 0.0, w.rows(), w.cols());
    const int rank = numericalRank(sigma, w.rows(), w.cols(), used);
    logLine("rank " + std::to_string(rank) + " of a " + std::to_string(w.rows()) + "×" +
            std::to_string(w.cols()) + " matrix (tolerance " + std::to_string(used) + ")");
    printResult(
        {{"command", "rank"},
         {"rows", w.rows()},
         {"cols", w.cols()},
         {"rank", rank},
         {"max_rank", sigma.size()},
         {"tolerance", used},
         {"default_tolerance", tolerance < 0.0f},
         {"singular_values", std::vector<double>(sigma.data(), sigma.data() + sigma.size())}});
    return 0;
}

} // namespace lora::cli
