#include "background_pool.h"

#include <QThread>

QThreadPool* backgroundPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives until exit: jobs may still hold it at shutdown
        p->setMaxThreadCount(qMax(1, QThread::idealThreadCount()));
        p->setThreadPriority(QThread::IdlePriority);
        return p;
    }();
    return pool;
}
