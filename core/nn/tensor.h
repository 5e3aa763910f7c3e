#pragma once
// Shared matrix types. Everything is row-major so that a batch row is one sample,
// W [out, in] has the same byte layout as a PyTorch/safetensors weight, and an
// Eigen::Map over a contiguous row range is a zero-copy batch view.
#include <Eigen/Core>
#include <string>

namespace lora {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::Matrix<float, 1, Eigen::Dynamic, Eigen::RowMajor>; // a row vector
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

// A flat view of one trainable tensor and its gradient, as the optimisers see it.
// Frozen tensors are never handed out as views, so no optimiser can touch them.
struct ParamView {
    std::string name;
    float* value = nullptr;
    float* grad = nullptr;
    std::size_t size = 0;
};

} // namespace lora
