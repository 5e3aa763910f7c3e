// Compiled into every executable that links lora_core (an INTERFACE source), so that its
// static initialiser always runs: Eigen would otherwise use every core as soon as OpenMP is
// linked, and results would stop being bit-identical from run to run.
#include "util/threads.h"

namespace {
struct SingleThreadedByDefault {
    SingleThreadedByDefault() { lora::setComputeThreads(1); }
} const g_singleThreadedByDefault;
} // namespace
