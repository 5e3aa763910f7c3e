#include "linalg/rank.h"

#include "nn/model_budget.h"
#include "util/error.h"

#include <Eigen/SVD>
#include <algorithm>
#include <limits>

namespace lora {

double defaultRankTolerance(double sigmaMax, Eigen::Index rows, Eigen::Index cols) {
    return sigmaMax * static_cast<double>(std::max(rows, cols)) *
           static_cast<double>(std::numeric_limits<float>::epsilon());
}

int numericalRank(const Eigen::VectorXd& singularValues, Eigen::Index rows, Eigen::Index cols,
                  double tolerance) {
    if (singularValues.size() == 0) return 0;
    const double tol =
        tolerance < 0.0 ? defaultRankTolerance(singularValues.maxCoeff(), rows, cols) : tolerance;
    // Strictly above, so an all-zero matrix (σ_max = 0, tol = 0) has rank 0.
    return static_cast<int>((singularValues.array() > tol).count());
}

Eigen::VectorXd singularValues(const Eigen::Ref<const Matrix>& w) {
    if (!w.allFinite()) throw InputError("matrix has a non-finite entry");
    checkSvdBudget(w.rows(), w.cols(), "the matrix"); // its time grows as m·n·min(m, n)
    const Eigen::MatrixXd wd = w.cast<double>();
    return Eigen::BDCSVD<Eigen::MatrixXd>(wd).singularValues();
}

int numericalRank(const Eigen::Ref<const Matrix>& w, double tolerance) {
    if (w.size() == 0) return 0;
    return numericalRank(singularValues(w), w.rows(), w.cols(), tolerance);
}

Matrix rankExample(const std::string& name) {
    Matrix m;
    if (name == "rank1") {
        m.resize(2, 2);
        m << 1, 2, 2, 4;
    } else if (name == "rank2") {
        m.resize(2, 2);
        m << 1, 2, 3, 4;
    } else if (name == "zeros") {
        m = Matrix::Zero(3, 3);
    } else {
        throw InputError("unknown example '" + name + "' (expected rank1, rank2 or zeros)");
    }
    return m;
}

std::vector<std::string> rankExampleNames() {
    return {"rank1", "rank2", "zeros"};
}

} // namespace lora
