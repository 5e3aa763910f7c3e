// Background work runs below the GUI thread's priority, but in the normal scheduling class:
// a job started with runInBackground() and a thread that lowers itself are five nice
// levels under the thread that started them, and lowering twice changes nothing. (The
// session's training thread lowers itself with the same call when it starts.)
#include "jobs/background_pool.h"
#include "jobs/thread_priority.h"

#include <QtTest>
#include <thread>

#ifdef __linux__
#include <sched.h>
#endif

class TestThreadPriority : public QObject {
    Q_OBJECT
private slots:
    void lowersOnceRelativeToTheCaller() {
#ifndef __linux__
        QSKIP("thread priorities are only set on Linux");
#endif
        const int gui = currentThreadNice();
        int first = 0, second = 0, policy = -1;
        std::thread([&] {
            lowerCurrentThreadPriority();
            first = currentThreadNice();
            lowerCurrentThreadPriority();
            second = currentThreadNice();
#ifdef __linux__
            policy = sched_getscheduler(0);
#endif
        }).join();
        QCOMPARE(first, qMin(gui + 5, 19));
        QCOMPARE(second, first);
#ifdef __linux__
        QCOMPARE(policy, SCHED_OTHER); // not SCHED_IDLE
#endif
        QCOMPARE(currentThreadNice(), gui); // the caller's own thread is untouched
    }

    void backgroundJobsRunLowered() {
#ifndef __linux__
        QSKIP("thread priorities are only set on Linux");
#endif
        const int gui = currentThreadNice();
        QFuture<int> job = runInBackground([] { return currentThreadNice(); });
        QCOMPARE(job.result(), qMin(gui + 5, 19));
    }
};

QTEST_GUILESS_MAIN(TestThreadPriority)
#include "tst_thread_priority.moc"
