#pragma once
// Numerical rank: the number of singular values above a tolerance. The default tolerance is
// numpy.linalg.matrix_rank's, σ_max · max(m, n) · ε, with ε of float (our data's precision):
// singular values below it are indistinguishable from the rounding of float entries.
#include "nn/tensor.h"

#include <Eigen/Core>
#include <string>
#include <vector>

namespace lora {

// σ_max · max(rows, cols) · FLT_EPSILON
double defaultRankTolerance(double sigmaMax, Eigen::Index rows, Eigen::Index cols);

// singularValues: descending, from an m×n matrix. tolerance < 0 means the default.
int numericalRank(const Eigen::VectorXd& singularValues, Eigen::Index rows, Eigen::Index cols,
                  double tolerance = -1.0);

// w: [m, n] -> its min(m, n) singular values, descending (values only, computed in double).
// InputError for a non-finite entry.
Eigen::VectorXd singularValues(const Eigen::Ref<const Matrix>& w);

// w: [m, n] -> rank (one SVD, computed in double)
int numericalRank(const Eigen::Ref<const Matrix>& w, double tolerance = -1.0);

// The seed matrices: "rank1" = [[1,2],[2,4]], "rank2" = [[1,2],[3,4]], "zeros" = 3×3 zeros.
// Anything else is an InputError listing the names.
Matrix rankExample(const std::string& name);
std::vector<std::string> rankExampleNames();

} // namespace lora
