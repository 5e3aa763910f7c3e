#include "jobs/thread_priority.h"

#ifdef __linux__
#include <cerrno>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace {

// Nice 5 weighs 335 against nice 0's 1024 in Linux's fair scheduler: the GUI thread wins a
// contended core three to one, while training still gets a quarter of a core from a
// competing full-speed process instead of nothing.
constexpr int kBackgroundNiceSteps = 5;

#ifdef __linux__
id_t currentThreadId() {
    return static_cast<id_t>(::syscall(SYS_gettid));
}
#endif

} // namespace

int currentThreadNice() {
#ifdef __linux__
    errno = 0;
    const int nice = ::getpriority(PRIO_PROCESS, currentThreadId()); // per thread on Linux
    return errno == 0 ? nice : 0;
#else
    return 0;
#endif
}

void lowerCurrentThreadPriority() {
    thread_local bool lowered = false;
    if (lowered) return;
    lowered = true;
#ifdef __linux__
    // Threads inherit the creating thread's nice, so this is relative to the GUI thread's.
    // Failing (a sandbox forbidding it) only leaves the thread at the GUI's priority.
    ::setpriority(PRIO_PROCESS, currentThreadId(), currentThreadNice() + kBackgroundNiceSteps);
#endif
}
