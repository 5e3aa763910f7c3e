#pragma once
// The thread pool for the panels' background work (SVDs, evaluations, gradient descent).
// Not QThreadPool::globalInstance(): Qt 6.4's raster paint engine splits large fills over
// the global pool and blocks the GUI thread until they finish, so a 200 ms SVD queued there
// would freeze painting for 200 ms. Its threads run at idle priority, like training.
#include <QThreadPool>

QThreadPool* backgroundPool();
