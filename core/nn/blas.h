#pragma once
// OpenBLAS's sgemm beside Eigen's: which one the core's products use, and why. OpenBLAS picks
// its kernels for the CPU it runs on when the library loads (or for OPENBLAS_CORETYPE), so a
// portable build is fast on any x86-64; Eigen's kernels are fixed when this file is compiled.
// OpenBLAS is kept at one thread: the core slices its products across threads itself.
#include <string>

namespace lora {

struct BlasInfo {
    std::string name;    // "openblas 0.3.21", or "eigen" when no BLAS is used
    std::string core;    // OpenBLAS's kernel family ("Cooperlake", "Haswell", ...)
    int blasVectorBits;  // widest vectors the BLAS kernels use
    int eigenVectorBits; // widest vectors this build's Eigen kernels use
    bool used;           // false: every product goes through Eigen
};

// Decided once per process, on first use.
const BlasInfo& blasInfo();

// Auto: blasInfo().used decides. Eigen or Blas force one side for every product (but the
// small row-major A·B products Blas would allocate for), so that
// `lora-cli bench --gemm` can time both in one build.
enum class GemmBackend { Auto, Eigen, Blas };
void setGemmBackend(GemmBackend backend);
GemmBackend gemmBackend();
GemmBackend gemmBackendFromString(const std::string& s); // InputError if unknown
const char* toString(GemmBackend backend);

// True when a product goes to the BLAS: c[m, n] = op(a)·op(b), k deep, a and b read
// transposed when transA and transB.
bool blasTakes(long m, long n, long k, bool transA, bool transB);

// Row-major c[m, n] = alpha · op(a) · op(b) + beta · c, one thread. False, with c untouched,
// once the process is exiting: the caller then computes it another way.
bool blasSgemm(bool transA, bool transB, long m, long n, long k, float alpha, const float* a,
               long lda, const float* b, long ldb, float beta, float* c, long ldc);

} // namespace lora
