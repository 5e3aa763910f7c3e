#pragma once
// Work that must not compete with the GUI thread — training, SVDs, evaluations, the tabs'
// experiments — runs a few nice levels below it, so the window answers first on 2 cores.
//
// Not SCHED_IDLE (QThread::IdlePriority): an idle-class thread gets no CPU at all while any
// other process is busy (a build, a browser, a second test), so on a shared machine a run,
// its Stop and the window's close waited many seconds for a share that never came.

// Lowers the calling thread once (later calls on the same thread do nothing). Linux only;
// elsewhere a no-op.
void lowerCurrentThreadPriority();

// The calling thread's nice value (Linux), for tests.
int currentThreadNice();
