#include "linalg/module_delta.h"

#include "util/error.h"

namespace lora {

WeightDelta::WeightDelta(const LoraModule& module, bool transposed, double weight)
    : m_kind(module.kind), m_scale(static_cast<float>(module.scale * weight)) {
    const std::string what = "module " + quotedName(module.name);
    if (module.kind == ModuleKind::Dora)
        throw InputError(what + " is DoRA: its merge rescales W + s·BA by the magnitude vector "
                                "column by column, which merge-into does not implement");
    if (module.kind == ModuleKind::Lokr) {
        m_left = module.kronLeft;
        m_right = module.kronRight;
        m_rows = m_left.rows() * m_right.rows();
        m_cols = m_left.cols() * m_right.cols();
        return;
    }
    if (module.up.size() == 0)
        throw InputError(what + " holds a whole weight (modules_to_save), not a change to one");
    if (module.kind == ModuleKind::Full) { // LyCORIS diff: ΔW itself, [out, in·kh·kw]
        m_left = module.up;
        m_scale = static_cast<float>(weight);
    } else if (transposed) { // (up·down)ᵀ = downᵀ·upᵀ
        m_left = module.down.transpose();
        m_right = module.up.transpose();
    } else {
        m_left = module.up;
        m_right = module.down;
    }
    m_rows = m_left.rows();
    m_cols = m_kind == ModuleKind::Full ? m_left.cols() : m_right.cols();
}

void WeightDelta::rowBlock(std::int64_t first, std::int64_t n, Matrix& out) const {
    out.resize(n, m_cols);
    if (m_kind == ModuleKind::Full) {
        out = m_scale * m_left.middleRows(first, n);
    } else if (m_kind == ModuleKind::Lokr) {
        // kron(L, R)[i, j] = L[i / rr, j / rc] · R[i % rr, j % rc]
        const Eigen::Index rr = m_right.rows(), rc = m_right.cols();
        for (std::int64_t i = 0; i < n; ++i) {
            const Eigen::Index row = first + i;
            for (Eigen::Index a = 0; a < m_left.cols(); ++a)
                out.row(i).segment(a * rc, rc) =
                    (m_scale * m_left(row / rr, a)) * m_right.row(row % rr);
        }
    } else {
        // left: [rows, k], right: [k, cols] -> [n, cols]
        out.noalias() = m_left.middleRows(first, n) * m_right;
        out *= m_scale;
    }
}

bool storesTransposed(const LoraModule& module, bool fanInFanOut) {
    if (module.kind != ModuleKind::Lora && module.kind != ModuleKind::Dora) return false;
    if (module.downKey.find("lora_embedding_A") != std::string::npos) return true;
    return fanInFanOut && module.downShape.size() == 2;
}

} // namespace lora
