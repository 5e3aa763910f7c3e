#pragma once
// Matrix products for the training step, with Eigen's GEMM kernels but packing buffers that
// outlive the call: Eigen's own product operator allocates them on the heap on every call
// once they pass 128 KB, which is most of the layers here. The buffers live in a per-thread
// arena that grows to the largest product seen and is then reused, so a training step
// allocates nothing (tests/core/tst_training_step counts malloc calls).
#include "nn/tensor.h"

namespace lora {

enum class Op { None, Transpose };

// a: [m, k] (or [k, m] with Op::Transpose), b: [k, n] (or [n, k]) -> c: [m, n]
// c = alpha · op(a) · op(b), or c += alpha · op(a) · op(b) when accumulate.
void gemm(Eigen::Ref<Matrix> c, const Eigen::Ref<const Matrix>& a, Op opA,
          const Eigen::Ref<const Matrix>& b, Op opB, float alpha = 1.0f, bool accumulate = false);

} // namespace lora
