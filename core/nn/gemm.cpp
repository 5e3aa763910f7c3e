#include "nn/gemm.h"

#include "nn/blas.h"
#include "nn/skinny_gemm.h"
#include "util/threads.h"

#include <Eigen/Core>
#include <algorithm>
#include <cstdlib>
#include <new>

namespace lora {

namespace {

using Eigen::Index;
namespace ei = Eigen::internal;

// One per thread: product calls on a thread never overlap, so one pair of buffers serves
// them all. With several threads each computes its own slice of the result, packing into
// its own arena (Eigen's parallel path would pack B slices on the heap).
class Arena {
public:
    ~Arena() { std::free(m_data); }
    float* reserve(std::size_t floats) {
        if (floats > m_capacity) {
            // Most products go to OpenBLAS, so the few small ones left to Eigen would grow the
            // arena step by step as shapes vary (an epoch's shorter last batch): 1 MB from the
            // start covers them all, and a step then allocates nothing after the first.
            floats = std::max(floats, kMinFloats);
            std::free(m_data);
            // 64-byte aligned for AVX-512 loads; rounded up as aligned_alloc requires.
            const std::size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
            m_data = static_cast<float*>(std::aligned_alloc(64, bytes));
            if (!m_data) throw std::bad_alloc();
            m_capacity = bytes / sizeof(float);
        }
        return m_data;
    }

private:
    static constexpr std::size_t kMinFloats = std::size_t(1) << 18;
    float* m_data = nullptr;
    std::size_t m_capacity = 0;
};

thread_local Arena t_arena;

// Eigen's gemm_blocking_space for a row-major destination (the problem is solved
// transposed, hence mc from the columns and nc from the rows), with arena memory.
class ArenaBlocking : public ei::level3_blocking<float, float> {
public:
    ArenaBlocking(Index rows, Index cols, Index depth) {
        m_mc = cols;
        m_nc = rows;
        m_kc = depth;
        ei::computeProductBlockingSizes<float, float, 1>(m_kc, m_mc, m_nc, Index(1));
        place();
    }

private:
    void place() {
        // Keep B's block 64-byte aligned behind A's.
        const std::size_t sizeA = static_cast<std::size_t>(m_mc * m_kc + 15) / 16 * 16;
        const std::size_t sizeB = static_cast<std::size_t>(m_kc * m_nc);
        float* base = t_arena.reserve(sizeA + sizeB);
        m_blockA = base;
        m_blockB = base + sizeA;
    }
};

// Below this many multiply-adds a second thread costs more to wake than it saves.
constexpr double kParallelWork = 4.0e6;
constexpr Index kSlicesPerThread = 4;

// A batch of at most 16 rows against a weight matrix (x·Wᵀ forward, dy·W backward): the
// products are memory-bound there, and the skinny kernels read W once where OpenBLAS and
// Eigen pack it first (batch 10 on RichBoyNet: 85–97 against 37–45 GFLOP/s, see
// tests/bench/README.md). Not for thin LoRA factors: OpenBLAS's small kernels do those well.
bool skinnyTakes(Index rows, Index cols, Index depth, bool transA) {
    constexpr Index kWide = 64;
    return gemmBackend() == GemmBackend::Auto && !transA && rows <= kSkinnyGemmMaxRows &&
           cols >= kWide && depth >= kWide && skinnyGemmAvailable();
}

// c[rows, cols] = alpha · A·B + beta · c for one slice of c (beta 0 or 1); A is [rows, depth],
// B [depth, cols].
template <int LhsOrder, int RhsOrder>
void runSlice(float* c, Index cStride, Index rows, Index cols, const float* a, Index aStride,
              const float* b, Index bStride, Index depth, float alpha, float beta) {
    if (skinnyTakes(rows, cols, depth, LhsOrder == Eigen::ColMajor)) {
        if (RhsOrder == Eigen::ColMajor)
            skinnyGemmXWt(rows, cols, depth, alpha, a, aStride, b, bStride, beta, c, cStride);
        else
            skinnyGemmDW(rows, cols, depth, alpha, a, aStride, b, bStride, beta, c, cStride);
        return;
    }
    if (blasTakes(rows, cols, depth, LhsOrder == Eigen::ColMajor, RhsOrder == Eigen::ColMajor) &&
        blasSgemm(LhsOrder == Eigen::ColMajor, RhsOrder == Eigen::ColMajor, rows, cols, depth,
                  alpha, a, aStride, b, bStride, beta, c, cStride))
        return;
    if (beta == 0.0f)
        Eigen::Map<Matrix, 0, Eigen::OuterStride<>>(c, rows, cols, Eigen::OuterStride<>(cStride))
            .setZero();
    using Gemm = ei::general_matrix_matrix_product<Index, float, LhsOrder, false, float, RhsOrder,
                                                   false, Eigen::RowMajor, 1>;
    ArenaBlocking blocking(rows, cols, depth);
    Gemm::run(rows, cols, depth, a, aStride, b, bStride, c, 1, cStride, alpha, blocking);
}

// Splits c into one slice per thread along its longer side: rows share B and take their
// own rows of A, columns share A and take their own columns of B. Each slice is computed
// exactly as a one-thread call of the same shape would, so a thread count gives the same
// bits every run.
template <int LhsOrder, int RhsOrder>
void run(Eigen::Ref<Matrix>& c, const float* a, Index aStride, const float* b, Index bStride,
         Index depth, float alpha, float beta) {
    const Index rows = c.rows(), cols = c.cols();
    const double work = static_cast<double>(rows) * cols * depth;
    const int threads = work < kParallelWork ? 1 : computeThreads();
    if (threads == 1) {
        runSlice<LhsOrder, RhsOrder>(c.data(), c.outerStride(), rows, cols, a, aStride, b, bStride,
                                     depth, alpha, beta);
        return;
    }
    const bool byRows = rows >= cols;
    const Index extent = byRows ? rows : cols;
    // More slices than threads, handed out as threads come free: on a shared machine a
    // thread that loses its core for a while then holds up one small slice, not half the
    // product. Boundaries on multiples of 16 floats keep each slice's columns aligned.
    const Index wanted =
        std::max<Index>(1, std::min<Index>(threads * kSlicesPerThread, extent / 64));
    const Index chunk = ((extent + wanted - 1) / wanted + 15) / 16 * 16;
    const int slices = static_cast<int>((extent + chunk - 1) / chunk);
#pragma omp parallel num_threads(threads)
    {
        // Every thread sizes its arena for a full slice before taking any: which thread ends
        // up with which slices must not decide whether a later call allocates.
        (void)ArenaBlocking(byRows ? chunk : rows, byRows ? cols : chunk, depth);
#pragma omp for schedule(dynamic, 1)
        for (int t = 0; t < slices; ++t) {
            const Index begin = std::min<Index>(extent, t * chunk);
            const Index len = std::min<Index>(extent, begin + chunk) - begin;
            if (len == 0) continue;
            if (byRows) {
                const float* aSlice = LhsOrder == Eigen::RowMajor ? a + begin * aStride : a + begin;
                runSlice<LhsOrder, RhsOrder>(c.data() + begin * c.outerStride(), c.outerStride(),
                                             len, cols, aSlice, aStride, b, bStride, depth, alpha,
                                             beta);
            } else {
                const float* bSlice = RhsOrder == Eigen::RowMajor ? b + begin : b + begin * bStride;
                runSlice<LhsOrder, RhsOrder>(c.data() + begin, c.outerStride(), rows, len, a,
                                             aStride, bSlice, bStride, depth, alpha, beta);
            }
        }
    }
}

} // namespace

void gemm(Eigen::Ref<Matrix> c, const Eigen::Ref<const Matrix>& a, Op opA,
          const Eigen::Ref<const Matrix>& b, Op opB, float alpha, bool accumulate) {
    const bool ta = opA == Op::Transpose, tb = opB == Op::Transpose;
    const Index depth = ta ? a.rows() : a.cols();
    eigen_assert(c.rows() == (ta ? a.cols() : a.rows()));
    eigen_assert(c.cols() == (tb ? b.rows() : b.cols()));
    eigen_assert(depth == (tb ? b.cols() : b.rows()));
    if (c.size() == 0) return;
    // Where Eigen's own product would not use GEMM (tiny sizes, or a vector result), use
    // Eigen's product: same kernels and rounding as before, and no heap either.
    if (depth == 0 || c.rows() + c.cols() + depth < EIGEN_GEMM_TO_COEFFBASED_THRESHOLD ||
        c.rows() == 1 || c.cols() == 1) {
        if (!accumulate) c.setZero();
        if (depth == 0) return;
        if (!ta && !tb) c.noalias() += alpha * (a * b);
        if (!ta && tb) c.noalias() += alpha * (a * b.transpose());
        if (ta && !tb) c.noalias() += alpha * (a.transpose() * b);
        if (ta && tb) c.noalias() += alpha * (a.transpose() * b.transpose());
        return;
    }
    // A row-major matrix read transposed is a column-major one over the same memory.
    // beta 0 lets the kernel write c without reading it: no separate zeroing sweep.
    constexpr int R = Eigen::RowMajor, C = Eigen::ColMajor;
    const float beta = accumulate ? 1.0f : 0.0f;
    const float *pa = a.data(), *pb = b.data();
    const Index sa = a.outerStride(), sb = b.outerStride();
    if (!ta && !tb) run<R, R>(c, pa, sa, pb, sb, depth, alpha, beta);
    if (!ta && tb) run<R, C>(c, pa, sa, pb, sb, depth, alpha, beta);
    if (ta && !tb) run<C, R>(c, pa, sa, pb, sb, depth, alpha, beta);
    if (ta && tb) run<C, C>(c, pa, sa, pb, sb, depth, alpha, beta);
}

} // namespace lora
