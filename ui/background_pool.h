#pragma once
// The thread pools for the panels' work off the GUI thread.
//
// backgroundPool(): long jobs (SVDs, evaluations, gradient descent). Not
// QThreadPool::globalInstance(): Qt 6.4's raster paint engine splits large fills over the
// global pool and blocks the GUI thread until they finish, so a 200 ms SVD queued there
// would freeze painting for 200 ms. Its threads run at idle priority, like training.
//
// interactivePool(): one thread at the GUI thread's priority for the short jobs that stand
// between an input and its repaint (a heatmap frame per rank-slider tick, a few ms). They
// must not queue behind a second-long SVD or an evaluation in backgroundPool(), nor starve
// at idle priority while a build or a training run keeps both cores busy.
#include <QThreadPool>

QThreadPool* backgroundPool();
QThreadPool* interactivePool();
