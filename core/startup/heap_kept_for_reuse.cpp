// Compiled into every executable that links lora_core (an INTERFACE source), like
// single_threaded_default.cpp. glibc hands every freed block of more than ~128 KB to
// munmap at once (up to 32 MB once its threshold has adapted, and it lowers the threshold
// again as it trims), so the next model snapshot or workspace of that size is fresh memory
// whose every 4 KB page faults on first touch. Copying RichBoyNet's 11 MB of weights then
// took 12-18 ms here instead of 2 ms (measured with a snapshot loop on this machine), on
// every live-slider tick. Blocks below 64 MB now come from the heap and freed memory is kept
// up to 256 MB for reuse; larger ones (whole LoRA files) are still mapped and unmapped.
#include <malloc.h>

namespace {
struct HeapKeptForReuse {
    HeapKeptForReuse() {
#if defined(__GLIBC__)
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
    }
} const g_heapKeptForReuse;
} // namespace
