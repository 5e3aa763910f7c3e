#pragma once
// The thread pools for the panels' work off the GUI thread.
//
// backgroundPool(): long jobs (SVDs, evaluations, gradient descent). Not
// QThreadPool::globalInstance(): Qt 6.4's raster paint engine splits large fills over the
// global pool and blocks the GUI thread until they finish, so a 200 ms SVD queued there
// would freeze painting for 200 ms. Start its jobs with runInBackground(): they then run
// below the GUI thread's priority, like training (thread_priority.h).
//
// interactivePool(): one thread at the GUI thread's priority for the short jobs that stand
// between an input and its repaint (a heatmap frame per rank-slider tick, a few ms). They
// must not queue behind a second-long SVD or an evaluation in backgroundPool(), nor starve
// below the GUI thread's priority while a build or a training run keeps both cores busy.
//
// copyPool(): one thread for copying whole models (an adapter library of a new base takes
// ~150 ms for RichBoyNet), so the copy neither waits behind an SVD of that same base in
// backgroundPool() nor delays a heatmap frame in interactivePool().
#include "jobs/thread_priority.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <utility>

QThreadPool* backgroundPool();
QThreadPool* interactivePool();
QThreadPool* copyPool();

// QtConcurrent::run(backgroundPool(), job), the job's thread lowered below the GUI thread.
template <typename Job> auto runInBackground(Job job) {
    return QtConcurrent::run(backgroundPool(), [job = std::move(job)]() mutable {
        lowerCurrentThreadPriority();
        return job();
    });
}
