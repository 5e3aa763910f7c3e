#include "jobs/background_pool.h"

#include <QThread>

QThreadPool* backgroundPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives until exit: jobs may still hold it at shutdown
        p->setMaxThreadCount(qMax(1, QThread::idealThreadCount()));
        return p;
    }();
    return pool;
}

QThreadPool* interactivePool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives until exit, like backgroundPool()
        p->setMaxThreadCount(1);
        p->setExpiryTimeout(-1); // no thread start-up on the first tick after a pause
        return p;                // threads inherit the GUI thread's priority
    }();
    return pool;
}

QThreadPool* copyPool() {
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool; // lives until exit, like backgroundPool()
        p->setMaxThreadCount(1);
        return p;
    }();
    return pool;
}
