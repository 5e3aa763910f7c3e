#include "nn/blas.h"

#include "util/error.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cblas.h>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

namespace lora {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return s;
}

// Vector width of OpenBLAS's sgemm kernels for a core family (its names, kernel/x86_64).
// Zen and the Bulldozer line run the Haswell (AVX2) kernels; unknown or older families get
// SSE kernels, which lose to Eigen's at any width.
int coreVectorBits(const std::string& core) {
    const std::string c = lower(core);
    for (const char* wide : {"skylakex", "cooperlake", "sapphirerapids"})
        if (c == wide) return 512;
    for (const char* avx :
         {"haswell", "zen", "sandybridge", "bulldozer", "piledriver", "steamroller", "excavator"})
        if (c == avx) return 256;
    return 128;
}

constexpr int eigenBits() {
#if defined(EIGEN_VECTORIZE_AVX512)
    return 512;
#elif defined(EIGEN_VECTORIZE_AVX)
    return 256;
#elif defined(EIGEN_VECTORIZE_SSE)
    return 128;
#else
    return 0;
#endif
}

// "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64" -> "openblas 0.3.21".
std::string versionOf(const char* config) {
    std::istringstream words(config ? config : "");
    std::string product, version;
    words >> product >> version;
    return lower(product) + (version.empty() ? "" : " " + version);
}

// At exit, OpenBLAS's library destructor unmaps its buffers while a GUI's pooled thread may
// still be inside a product (found as a crash at the end of tst_status_report). An atexit
// handler runs before library destructors: it closes the BLAS, so later products fall back
// to Eigen, and waits for the ones in flight. Sequentially consistent on both sides, so a
// product either sees the closing or is counted by the wait.
std::atomic<int> g_inFlight{0};
std::atomic<bool> g_closing{false};

void drainAtExit() {
    g_closing.store(true);
    // A product takes milliseconds; never hang an exit on a thread that stopped in one.
    for (int i = 0; i < 10000 && g_inFlight.load() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

BlasInfo probe() {
    // Before any product: the core slices products across its own threads, so OpenBLAS must
    // not start a second pool inside each slice.
    openblas_set_num_threads(1);
    std::atexit(drainAtExit);
    BlasInfo info;
    const char* core = openblas_get_corename();
    info.core = core ? core : "unknown";
    info.name = versionOf(openblas_get_config());
    info.blasVectorBits = coreVectorBits(info.core);
    info.eigenVectorBits = eigenBits();
    // Kernels at least as wide as Eigen's beat them on every shape measured here
    // (tests/bench/README.md); narrower ones lose to them.
    info.used = info.blasVectorBits >= info.eigenVectorBits;
    return info;
}

std::atomic<GemmBackend> g_backend{GemmBackend::Auto};

} // namespace

void setGemmBackend(GemmBackend backend) {
    g_backend.store(backend, std::memory_order_relaxed);
}

GemmBackend gemmBackend() {
    return g_backend.load(std::memory_order_relaxed);
}

GemmBackend gemmBackendFromString(const std::string& s) {
    if (s == "auto") return GemmBackend::Auto;
    if (s == "eigen") return GemmBackend::Eigen;
    if (s == "blas") return GemmBackend::Blas;
    throw InputError("unknown gemm backend '" + s + "' (use auto, eigen or blas)");
}

const char* toString(GemmBackend backend) {
    switch (backend) {
    case GemmBackend::Auto:
        return "auto";
    case GemmBackend::Eigen:
        return "eigen";
    case GemmBackend::Blas:
        return "blas";
    }
    return "?";
}

const BlasInfo& blasInfo() {
    static const BlasInfo info = probe();
    return info;
}

bool blasTakes(long m, long n, long k, bool transA, bool transB) {
    const BlasInfo& info = blasInfo(); // first: it keeps OpenBLAS at one thread
    const GemmBackend backend = gemmBackend();
    // OpenBLAS 0.3.21's small-matrix kernel for a row-major A·B (m·n·k ≤ 10⁶, n not a multiple
    // of 16; LoRA's dh = dy·B among them) mallocs on every call, and the training step must
    // not. Eigen, with the arena, takes those: they are a few microseconds either way.
    constexpr double kSmallKernelWork = 1.0e6;
    if (!transA && !transB && static_cast<double>(m) * n * k <= kSmallKernelWork) return false;
    if (backend != GemmBackend::Auto) return backend == GemmBackend::Blas;
    if (!info.used) return false;
    // With kernels as wide as OpenBLAS's, Eigen is faster on x·Wᵀ while the whole depth fits
    // one of its panels (k ≤ 784 measured: 64×1000×784 at 134 vs 111 GFLOP/s, 10×1000×784
    // at 58 vs 39); from k = 1000 on, and on every other shape of the step, OpenBLAS is.
    constexpr long kEigenDepth = 800;
    if (info.eigenVectorBits == info.blasVectorBits && transB && k <= kEigenDepth && m <= 256 &&
        n >= 16)
        return false;
    return true;
}

bool blasSgemm(bool transA, bool transB, long m, long n, long k, float alpha, const float* a,
               long lda, const float* b, long ldb, float beta, float* c, long ldc) {
    g_inFlight.fetch_add(1);
    if (g_closing.load()) {
        g_inFlight.fetch_sub(1);
        return false;
    }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, static_cast<blasint>(m),
                static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
                static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c,
                static_cast<blasint>(ldc));
    g_inFlight.fetch_sub(1);
    return true;
}

} // namespace lora
