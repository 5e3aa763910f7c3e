#include "io/lora_file_modules.h"

#include "util/error.h"

namespace lora {

namespace {

class Builder {
public:
    Builder(const ModuleParts& parts, const ScaleRules& rules) : m_parts(parts), m_rules(rules) {}

    LoraModule build() {
        m_module.name = m_parts.name;
        for (const auto& [part, t] : m_parts.tensors)
            m_module.params += static_cast<std::int64_t>(t->data.size());
        if (has(KeyPart::Diff)) return full(*get(KeyPart::Diff));
        if (has(KeyPart::HadaW1A) || has(KeyPart::HadaW1B) || has(KeyPart::HadaW2A) ||
            has(KeyPart::HadaW2B))
            return loha();
        if (has(KeyPart::LokrW1) || has(KeyPart::LokrW1A) || has(KeyPart::LokrW2) ||
            has(KeyPart::LokrW2A) || has(KeyPart::LokrW1B) || has(KeyPart::LokrW2B))
            return lokr();
        if (has(KeyPart::Down) || has(KeyPart::Up) || has(KeyPart::EmbeddingDown) ||
            has(KeyPart::EmbeddingUp))
            return lora();
        if (has(KeyPart::None)) return savedWhole(*get(KeyPart::None));
        fail("has only " + std::string(partName(m_parts.tensors.begin()->first)) +
             ", no weights to form ΔW from");
    }

private:
    bool has(KeyPart p) const { return m_parts.tensors.count(p) > 0; }
    const NamedTensor* get(KeyPart p) const {
        const auto it = m_parts.tensors.find(p);
        return it == m_parts.tensors.end() ? nullptr : it->second;
    }
    [[noreturn]] void fail(const std::string& fault) const {
        throw InputError(m_parts.what + ": module " + m_parts.name + " " + fault);
    }
    const NamedTensor& need(KeyPart p, const char* what) const {
        if (const NamedTensor* t = get(p)) return *t;
        fail(std::string("is missing its ") + what);
    }
    // A tensor of 2 or 4 dimensions as [first, product of the rest].
    Matrix matrix(const NamedTensor& t) const {
        if (t.shape.size() != 2 && t.shape.size() != 4)
            fail("tensor " + t.name + " has " + std::to_string(t.shape.size()) +
                 " dimensions; 2 or 4 expected");
        Matrix m(t.shape[0],
                 static_cast<Eigen::Index>(t.data.size()) / std::max<std::int64_t>(1, t.shape[0]));
        std::copy(t.data.begin(), t.data.end(), m.data());
        return m;
    }
    void setAlpha(int rank) {
        m_module.rank = rank;
        m_module.alpha = m_rules.alpha(m_parts.name, rank, get(KeyPart::Alpha));
    }

    LoraModule lora() {
        const bool embedding = has(KeyPart::EmbeddingDown) || has(KeyPart::EmbeddingUp);
        const NamedTensor& down =
            need(embedding ? KeyPart::EmbeddingDown : KeyPart::Down, "down (A) half");
        const NamedTensor& up = need(embedding ? KeyPart::EmbeddingUp : KeyPart::Up, "up (B) half");
        m_module.down = matrix(down);
        m_module.up = matrix(up);
        m_module.downKey = down.name;
        m_module.upKey = up.name;
        m_module.downShape = down.shape;
        m_module.upShape = up.shape;
        if (const NamedTensor* a = get(KeyPart::Alpha)) m_module.alphaKey = a->name;
        const std::int64_t rank = down.shape[0];
        if (up.shape[1] != rank)
            fail("has ranks that disagree: " + down.name + " has " + std::to_string(rank) +
                 " rows but " + up.name + " has " + std::to_string(up.shape[1]) + " columns");
        if (up.shape.size() == 4 && (up.shape[2] != 1 || up.shape[3] != 1))
            fail("tensor " + up.name + " is a convolution of kernel " +
                 std::to_string(up.shape[2]) + "×" + std::to_string(up.shape[3]) +
                 "; the up half must be 1×1");
        if (up.shape.size() != down.shape.size() && !embedding)
            fail("mixes a " + std::to_string(down.shape.size()) + "-D down half with a " +
                 std::to_string(up.shape.size()) + "-D up half");
        const std::int64_t out = up.shape[0];
        if (embedding)
            m_module.shape = {down.shape[1], out}; // ΔW = (B·A)ᵀ: [vocab, dim]
        else if (down.shape.size() == 4)
            m_module.shape = {out, down.shape[1], down.shape[2], down.shape[3]};
        else if (m_rules.fanInFanOut())
            m_module.shape = {down.shape[1], out}; // GPT-2 Conv1D stores [in, out]
        else
            m_module.shape = {out, down.shape[1]};
        setAlpha(static_cast<int>(rank));
        m_module.scale = m_rules.scale(m_module.alpha, m_module.rank);
        if (has(KeyPart::Magnitude)) {
            m_module.kind = ModuleKind::Dora;
            m_module.note = "DoRA: the merged weight is m·(W + s·BA)/‖W + s·BA‖ column by column, "
                            "so its change needs the base's W; the spectrum is of s·BA alone";
        }
        return m_module;
    }

    // (w1a·w1b) ⊙ (w2a·w2b) = U·V with U[i, p·d₂+q] = w1a[i,p]·w2a[i,q] and
    // V[p·d₂+q, j] = w1b[p,j]·w2b[q,j]: the Hadamard product as one thin product of rank d₁·d₂.
    LoraModule loha() {
        const Matrix w1a = matrix(need(KeyPart::HadaW1A, "hada_w1_a"));
        const Matrix w1b = matrix(need(KeyPart::HadaW1B, "hada_w1_b"));
        const Matrix w2a = matrix(need(KeyPart::HadaW2A, "hada_w2_a"));
        const Matrix w2b = matrix(need(KeyPart::HadaW2B, "hada_w2_b"));
        if (w1a.cols() != w1b.rows() || w2a.cols() != w2b.rows() || w1a.rows() != w2a.rows() ||
            w1b.cols() != w2b.cols())
            fail("has LoHa halves whose shapes disagree");
        const Eigen::Index d1 = w1a.cols(), d2 = w2a.cols();
        m_module.kind = ModuleKind::Loha;
        m_module.up.resize(w1a.rows(), d1 * d2);
        m_module.down.resize(d1 * d2, w1b.cols());
        for (Eigen::Index p = 0; p < d1; ++p)
            for (Eigen::Index q = 0; q < d2; ++q) {
                m_module.up.col(p * d2 + q) = w1a.col(p).cwiseProduct(w2a.col(q));
                m_module.down.row(p * d2 + q) = w1b.row(p).cwiseProduct(w2b.row(q));
            }
        if (!m_module.up.allFinite() || !m_module.down.allFinite())
            fail("has LoHa halves whose products overflow float32");
        m_module.shape = {w1a.rows(), w1b.cols()};
        setAlpha(static_cast<int>(d1));
        m_module.scale = m_module.alpha / static_cast<double>(d1);
        return m_module;
    }

    // One Kronecker factor, whole or from its two halves; `rank` gets the halves' inner size.
    Matrix kronFactor(KeyPart whole, KeyPart a, KeyPart b, const char* name, int& rank) {
        if (const NamedTensor* w = get(whole)) return matrix(*w);
        const Matrix left = matrix(need(a, name)), right = matrix(need(b, name));
        if (left.cols() != right.rows()) fail(std::string("has ") + name + " halves that disagree");
        rank = static_cast<int>(left.cols());
        Matrix product = left * right;
        if (!product.allFinite())
            fail(std::string("has ") + name + " halves whose product overflows float32");
        return product;
    }

    LoraModule lokr() {
        int rank = 0;
        m_module.kind = ModuleKind::Lokr;
        m_module.kronLeft =
            kronFactor(KeyPart::LokrW1, KeyPart::LokrW1A, KeyPart::LokrW1B, "lokr_w1", rank);
        m_module.kronRight =
            kronFactor(KeyPart::LokrW2, KeyPart::LokrW2A, KeyPart::LokrW2B, "lokr_w2", rank);
        m_module.shape = {m_module.kronLeft.rows() * m_module.kronRight.rows(),
                          m_module.kronLeft.cols() * m_module.kronRight.cols()};
        // LyCORIS: α/dim when a factor is decomposed, 1 when both are whole.
        m_module.rank = rank;
        m_module.alpha = rank > 0 ? m_rules.alpha(m_parts.name, rank, get(KeyPart::Alpha)) : 1.0;
        m_module.scale = rank > 0 ? m_module.alpha / rank : 1.0;
        return m_module;
    }

    LoraModule full(const NamedTensor& diff) {
        m_module.kind = ModuleKind::Full;
        m_module.up = matrix(diff);
        m_module.shape = diff.shape;
        m_module.scale = 1.0;
        return m_module;
    }

    LoraModule savedWhole(const NamedTensor& weight) {
        m_module.kind = ModuleKind::Full;
        m_module.shape = weight.shape;
        m_module.note = "modules_to_save: a whole trained weight, so its change is that weight "
                        "minus the base's, which the file does not hold";
        return m_module;
    }

    const ModuleParts& m_parts;
    const ScaleRules& m_rules;
    LoraModule m_module;
};

} // namespace

LoraModule buildModule(const ModuleParts& parts, const ScaleRules& rules) {
    return Builder(parts, rules).build();
}

} // namespace lora
