#pragma once
// LoRA adapter on a frozen Linear: y = x Wᵀ + b + s · (x Aᵀ) Bᵀ with A [r, in], B [out, r].
// The low-rank path is two thin GEMMs; BA is only formed for merge/unmerge.
#include "nn/linear.h"

#include <string>

namespace lora {

// Kaiming / Gaussian: A random, B = 0, so ΔW starts at 0. PiSSA (Meng et al. 2024): A and B
// from W's top-r singular triplets, s·BA = W_r, and the frozen W becomes the residual W − W_r:
// the output starts equal to the base's while training moves W's principal directions.
enum class LoraInit { Kaiming, Gaussian, Pissa };

// The largest LoRA rank anything accepts (CLI flags, GUI fields, adapter files): 4096, the
// hidden width of Llama-2-7B and of the widest presets. A rank above min(in, out) adds
// parameters but no expressiveness, so this only bounds memory: A and B of one layer hold
// r·(in + out) floats, 2 GiB at r = 4096 on two 65536-wide layers.
inline constexpr int kMaxRank = 4096;

struct LoraSpec {
    int rank = 4;
    float alpha = 1.0f;
    bool rslora = false; // scale α/√r instead of α/r
    LoraInit init = LoraInit::Kaiming;

    float scale() const;
    // InputError for a rank outside 1…kMaxRank or alpha not a positive number: the one check
    // every place that takes a rank goes through.
    void validate() const;
};

const char* toString(LoraInit init);
LoraInit loraInitFromString(const std::string& s); // "kaiming" | "gaussian" | "pissa"

class LoraLinear {
public:
    // `base` must outlive the adapter; it is treated as frozen while the adapter is attached.
    LoraLinear(Linear& base, const LoraSpec& spec);

    // A: PEFT's kaiming_uniform(a=√5) → U(-1/√in, 1/√in), or N(0, 1/r) for Gaussian; B = 0.
    // PiSSA: A = √(Σ_r/s)·V_rᵀ, B = U_r·√(Σ_r/s), and the base's W becomes W − s·BA (it is
    // restored exactly by restoreBase). Needs r ≤ min(in, out).
    void init(Rng& rng);
    bool pissa() const { return m_pissaW.size() > 0; }
    // PiSSA only: the initial factors, whose product the residual base lacks.
    const Matrix& initialA() const { return m_initialA; }
    const Matrix& initialB() const { return m_initialB; }
    // Undoes PiSSA's change to the base W (after unmerging); nothing for other inits.
    void restoreBase();

    int rank() const { return m_spec.rank; }
    float scale() const { return m_scale; }
    const LoraSpec& spec() const { return m_spec; }
    std::size_t paramCount() const { return static_cast<std::size_t>(A.size() + B.size()); }

    // x: [batch, in] -> y: [batch, out] = act(x Wᵀ + s·(x Aᵀ) Bᵀ + b); without the
    // low-rank term when disabled or merged.
    void forward(Eigen::Ref<Matrix> y, const Eigen::Ref<const Matrix>& x,
                 Activation act = Activation::None);
    // dy: [batch, out], x: [batch, in] -> dx: [batch, in] (if wanted), dA, dB accumulated.
    // Uses the hidden h = x Aᵀ cached by the last forward of the same batch.
    void backward(Eigen::Ref<Matrix> dx, const Eigen::Ref<const Matrix>& dy,
                  const Eigen::Ref<const Matrix>& x, bool wantDx);

    void zeroGrad();
    void trainableViews(const std::string& prefix, std::vector<ParamView>& out);

    // ΔW = s · B A  [out, in]
    Matrix delta() const;
    void merge();   // W += s·BA; forward then skips the low-rank path
    void unmerge(); // W -= s·BA
    bool merged() const { return m_merged; }

    bool enabled = true;
    Matrix A;  // [r, in]
    Matrix B;  // [out, r]
    Matrix dA; // [r, in]
    Matrix dB; // [out, r]

    // After copying the owning network, point the copy at the copied base layer.
    void rebind(Linear& base) { m_base = &base; }
    Linear& base() { return *m_base; }
    const Linear& base() const { return *m_base; }

private:
    Linear* m_base;
    LoraSpec m_spec;
    float m_scale;
    bool m_merged = false;
    void reserveRows(Eigen::Index rows); // grows m_h/m_dh only when a batch is larger

    Matrix m_pissaW;               // the base W before PiSSA took W_r out of it
    Matrix m_initialA, m_initialB; // PiSSA's starting factors
    void initPissa();

    Matrix m_h;  // [capacity, r]; the first `batch` rows hold x Aᵀ from the last forward
    Matrix m_dh; // [capacity, r]
};

} // namespace lora
