// BackgroundTask: a job runs off the GUI thread and its outcome is reported once, on the GUI
// thread, as finished(stopped) or failed(first line of the exception); runningChanged(true)
// and runningChanged(false) bracket each run; a second start() stops the first job (its
// token fires, its generation is no longer current) and only the newest job is reported,
// whichever of the two ends first, even when the old one had ended but was not yet
// reported; stop() ends in finished(true); the destructor stops and joins a running job.
// No sleeps: the jobs wait on their stop token or on semaphores the test releases.
#include "jobs/background_pool.h"
#include "jobs/background_task.h"
#include "util/error.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <semaphore>
#include <stdexcept>
#include <thread>

namespace {

constexpr auto kPatience = std::chrono::seconds(30); // a broken task fails, not hangs

// Blocks until `token` is stopped; true when it was.
bool waitForStop(std::stop_token token) {
    std::mutex mutex;
    std::condition_variable_any stopped;
    std::unique_lock lock(mutex);
    stopped.wait_for(lock, token, kPatience, [] { return false; });
    return token.stop_requested();
}

bool acquire(std::binary_semaphore& s) {
    return s.try_acquire_for(kPatience);
}

// Joins every job and delivers the reports they posted to the GUI thread.
void settle(BackgroundTask& task) {
    task.waitForIdle();
    QCoreApplication::sendPostedEvents();
}

QList<bool> flags(const QSignalSpy& spy) {
    QList<bool> out;
    for (const QList<QVariant>& args : spy) out << args.at(0).toBool();
    return out;
}

} // namespace

class TestBackgroundTask : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        // The superseding test holds the old job while the new one runs.
        if (backgroundPool()->maxThreadCount() < 2) backgroundPool()->setMaxThreadCount(2);
    }

    void reportsOnceOnTheGuiThread() {
        std::thread::id jobThread;
        QThread* reportThread = nullptr;
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        QSignalSpy failed(&task, &BackgroundTask::failed);
        QSignalSpy running(&task, &BackgroundTask::runningChanged);
        connect(&task, &BackgroundTask::finished, &task,
                [&] { reportThread = QThread::currentThread(); });
        const int generation =
            task.start([&](std::stop_token) { jobThread = std::this_thread::get_id(); });
        QVERIFY(task.isRunning());
        QVERIFY(task.isCurrent(generation));
        QCOMPARE(flags(running), QList<bool>{true});
        settle(task);
        QVERIFY(jobThread != std::thread::id());
        QVERIFY(jobThread != std::this_thread::get_id());
        QCOMPARE(flags(finished), QList<bool>{false});
        QCOMPARE(reportThread, QThread::currentThread());
        QCOMPARE(failed.count(), 0);
        QCOMPARE(flags(running), (QList<bool>{true, false}));
        QVERIFY(!task.isRunning());
        settle(task);
        QCOMPARE(finished.count(), 1); // once

        // The next run: a new generation, its own report and runningChanged pair.
        const int next = task.start([](std::stop_token) {});
        QVERIFY(next != generation);
        QVERIFY(!task.isCurrent(generation));
        settle(task);
        QCOMPARE(flags(finished), (QList<bool>{false, false}));
        QCOMPARE(flags(running), (QList<bool>{true, false, true, false}));
    }

    void stopReportsStopped() {
        std::atomic<bool> sawStop = false;
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        QSignalSpy running(&task, &BackgroundTask::runningChanged);
        task.start([&](std::stop_token token) { sawStop = waitForStop(token); });
        task.stop(); // returns at once; the job is still waiting or not yet started
        QVERIFY(task.isRunning());
        settle(task);
        QVERIFY(sawStop);
        QCOMPARE(flags(finished), QList<bool>{true});
        QCOMPARE(flags(running), (QList<bool>{true, false}));
    }

    void stopAfterTheJobEndedIsNotAStop() {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        task.start([](std::stop_token) {});
        task.waitForIdle(); // ended, not yet reported
        task.stop();
        QCoreApplication::sendPostedEvents();
        QCOMPARE(flags(finished), QList<bool>{false});
    }

    void exceptionBecomesFailed_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("runtime_error") << 0 << "singular matrix";
        QTest::newRow("InputError") << 1 << "rank must be at least 1";
        QTest::newRow("several lines: one") << 2 << "first line second line";
        QTest::newRow("not a std::exception") << 3 << "unknown error";
    }
    void exceptionBecomesFailed() {
        QFETCH(int, kind);
        QFETCH(QString, message);
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        QSignalSpy failed(&task, &BackgroundTask::failed);
        QSignalSpy running(&task, &BackgroundTask::runningChanged);
        task.start([kind](std::stop_token) {
            if (kind == 0) throw std::runtime_error("singular matrix");
            if (kind == 1) throw lora::InputError("rank must be at least 1");
            if (kind == 2) throw std::runtime_error("first line\nsecond line\n");
            throw 42;
        });
        settle(task);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed[0][0].toString(), message);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(flags(running), (QList<bool>{true, false}));
        QVERIFY(!task.isRunning());
    }

    void onlyTheNewestJobIsReported_data() {
        QTest::addColumn<bool>("oldEndsFirst");
        QTest::addColumn<bool>("oldThrows");
        QTest::newRow("old ends after the new one") << false << false;
        QTest::newRow("old ends before the new one") << true << false;
        QTest::newRow("old throws after the new one") << false << true;
        QTest::newRow("old throws before the new one") << true << true;
    }
    void onlyTheNewestJobIsReported() {
        QFETCH(bool, oldEndsFirst);
        QFETCH(bool, oldThrows);
        std::binary_semaphore releaseOld{0}, oldEnded{0}, releaseNew{0};
        std::atomic<bool> oldSawStop = false;
        BackgroundTask task; // after what its jobs use: it joins them first
        QSignalSpy finished(&task, &BackgroundTask::finished);
        QSignalSpy failed(&task, &BackgroundTask::failed);
        QSignalSpy running(&task, &BackgroundTask::runningChanged);
        const int old = task.start([&, oldThrows](std::stop_token token) {
            oldSawStop = waitForStop(token);
            acquire(releaseOld);
            oldEnded.release();
            if (oldThrows) throw std::runtime_error("the old job's error");
        });
        const int newest = task.start([&](std::stop_token) { acquire(releaseNew); });
        QVERIFY(newest != old);
        QVERIFY(!task.isCurrent(old));
        QVERIFY(task.isCurrent(newest));
        if (oldEndsFirst) {
            releaseOld.release();
            QVERIFY(acquire(oldEnded));
            QCoreApplication::sendPostedEvents();
            QCOMPARE(finished.count() + failed.count(), 0); // the new job is still held
            QVERIFY(task.isRunning());
            releaseNew.release();
        } else {
            releaseNew.release();
            QVERIFY(finished.count() == 1 || finished.wait(30000));
            QVERIFY(!task.isRunning());
            releaseOld.release();
        }
        settle(task);
        QVERIFY(oldSawStop);
        QCOMPARE(flags(finished), QList<bool>{false});
        QCOMPARE(failed.count(), 0);
        QCOMPARE(flags(running), (QList<bool>{true, false}));
    }

    void anEndedJobNotYetReportedIsSuperseded() {
        BackgroundTask task;
        QSignalSpy finished(&task, &BackgroundTask::finished);
        QSignalSpy failed(&task, &BackgroundTask::failed);
        QSignalSpy running(&task, &BackgroundTask::runningChanged);
        task.start([](std::stop_token) { throw std::runtime_error("stale"); });
        task.waitForIdle(); // ended; its report is queued, not delivered
        task.start([](std::stop_token) {});
        settle(task);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(flags(finished), QList<bool>{false});
        QCOMPARE(flags(running), (QList<bool>{true, false}));
    }

    void destructorStopsAndJoins() {
        std::atomic<bool> sawStop = false, ended = false;
        auto* task = new BackgroundTask;
        QSignalSpy finished(task, &BackgroundTask::finished);
        QSignalSpy failed(task, &BackgroundTask::failed);
        task->start([&](std::stop_token token) {
            sawStop = waitForStop(token);
            ended = true;
        });
        delete task;
        QVERIFY(ended); // joined: the job ended before the destructor returned
        QVERIFY(sawStop);
        QCoreApplication::sendPostedEvents();
        QCOMPARE(finished.count() + failed.count(), 0); // nothing reported after destruction
    }
};

QTEST_GUILESS_MAIN(TestBackgroundTask)
#include "tst_background_task.moc"
