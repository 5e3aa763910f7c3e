#include "util/threads.h"

#include "util/error.h"

#include <Eigen/Core>
#include <string>
#include <thread>
#ifdef LORA_OPENMP
#include <omp.h>
#endif

namespace lora {

bool threadingAvailable() {
#ifdef LORA_OPENMP
    return true;
#else
    return false;
#endif
}

int computeThreads() {
    return Eigen::nbThreads();
}

void setComputeThreads(int threads) {
    if (threads < 1 || threads > 256)
        throw InputError("thread count must be between 1 and 256, not " + std::to_string(threads));
#ifdef LORA_OPENMP
    Eigen::setNbThreads(threads);
    omp_set_num_threads(threads);
#endif
}

int hardwareThreads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
}

} // namespace lora
