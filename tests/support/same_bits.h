#pragma once
// Bit-for-bit equality of matrices and of whole models (base weights and adapters), for
// round trips and "the previous state is untouched" checks.
#include "nn/mlp.h"

#include <cstring>

namespace lora::test {

template <typename M> bool sameBits(const M& a, const M& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

inline bool sameBits(const Mlp& a, const Mlp& b) {
    if (a.architecture() != b.architecture() || a.hasLora() != b.hasLora()) return false;
    for (int i = 0; i < a.layerCount(); ++i) {
        if (!sameBits(a.layer(i).W, b.layer(i).W) || !sameBits(a.layer(i).b, b.layer(i).b))
            return false;
        const LoraLinear* x = a.adapter(i);
        const LoraLinear* y = b.adapter(i);
        if (!x != !y) return false;
        if (x && (!sameBits(x->A, y->A) || !sameBits(x->B, y->B) || x->merged() != y->merged() ||
                  x->rank() != y->rank() || x->scale() != y->scale()))
            return false;
    }
    return true;
}

} // namespace lora::test
