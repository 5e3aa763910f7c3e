// Stopping TrainingWorker: within a second mid-epoch or paused, a queued run stopped before
// it starts, pause and single-step, a sweep cut short, and the session's shutdown mid-run.
// Stop latency is asserted, so ctest runs this program alone (tests/CMakeLists.txt).
#include "time_scale.h"
#include "worker_fixture.h"

#include <cmath>

using lora::test::Fixture;
using lora::test::Recorder;
using lora::test::WorkerRuns;

class TestTrainingWorkerStop : public QObject {
    Q_OBJECT
private:
    WorkerRuns m_runs;

private slots:
    void initTestCase() { m_runs.loadData(); }

    void stopEndsALongRunWithinASecond_data() {
        QTest::addColumn<bool>("pausedFirst");
        QTest::newRow("running") << false;
        QTest::newRow("paused") << true; // the stop must wake the paused loop
    }
    void stopEndsALongRunWithinASecond() {
        QFETCH(bool, pausedFirst);
        Fixture f;
        f.run(m_runs.request(RunKind::Base,
                             ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit)));
        QTRY_VERIFY_WITH_TIMEOUT(!f.rec->steps.empty(), 60000);
        if (pausedFirst) {
            f.worker->setPaused(true);
            QTest::qWait(100);
        }
        QElapsedTimer timer;
        timer.start();
        f.worker->requestStop();
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 30000);
        const qint64 ms = timer.elapsed();
        qInfo("stop latency %lld ms after %ld steps", ms, long(f.rec->outcome->result.steps));
        QVERIFY2(ms < 1000 * lora::test::kTimeScale,
                 qPrintable(QStringLiteral("runFinished %1 ms after the stop").arg(ms)));
        const RunOutcome& o = *f.rec->outcome;
        QVERIFY(o.result.stopped);
        QVERIFY(o.model);
        QCOMPARE(o.model->architecture(), std::string("784-1000-2000-10"));
        QVERIFY(o.result.steps < 800); // 8,000 images in batches of 10
        QCOMPARE(f.rec->lossCount(), o.result.steps);
        // Not measured: a test-set pass would hold the stop up; the epoch was cut short.
        QVERIFY(std::isnan(o.testAccuracy));
        QVERIFY(o.result.epochs.empty());
        QVERIFY(f.rec->epochs.empty());
        f.worker->setPaused(false);
    }

    // The session may stop a run the worker has not picked up yet (Stop right after Train):
    // a stop through that run's id ends it as soon as it starts, while a stop of an earlier
    // run leaves the queued one alone.
    void stopReachesAQueuedRun_data() {
        QTest::addColumn<bool>("throughQueued");
        QTest::newRow("stop through the queued run") << true;
        QTest::newRow("stop of the running one only") << false;
    }
    void stopReachesAQueuedRun() {
        QFETCH(bool, throughQueued);
        m_runs.transferBase();
        Fixture f;
        const RunRequest running = m_runs.request(
            RunKind::Base, ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
        const RunRequest queued = m_runs.request(RunKind::Lora);
        f.run(running);
        f.run(queued);
        QTRY_VERIFY_WITH_TIMEOUT(!f.rec->steps.empty(), 60000);
        f.worker->requestStop(throughQueued ? queued.runId : running.runId);
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome && f.rec->outcome->runId == queued.runId, 60000);
        const RunOutcome& o = *f.rec->outcome;
        QCOMPARE(f.rec->labels.size(), 2);
        QCOMPARE(o.result.stopped, throughQueued);
        if (throughQueued)
            QCOMPARE(o.result.steps, 0L);
        else
            QCOMPARE(o.result.steps, 130L); // 5 epochs of 1612 digits in batches of 64
    }

    void pauseAndStepOnce() {
        Fixture f;
        // Paused before it starts: the loop parks after its first batch.
        f.worker->setPaused(true);
        QVERIFY(f.worker->isPaused());
        f.run(m_runs.request(RunKind::Base));
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->lossCount(), 1L, 30000);
        const std::size_t reports = f.rec->steps.size();
        QTest::qWait(300);
        QCOMPARE(f.rec->steps.size(), reports);
        QCOMPARE(f.rec->lossCount(), 1L);

        f.worker->stepOnce();
        QTRY_COMPARE_WITH_TIMEOUT(f.rec->lossCount(), 2L, 30000);
        QTest::qWait(300);
        QCOMPARE(f.rec->lossCount(), 2L);
        QVERIFY(!f.rec->outcome);

        f.worker->setPaused(false);
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->outcome.has_value(), 60000);
        QVERIFY(!f.rec->outcome->result.stopped);
        QCOMPARE(f.rec->lossCount(), f.rec->outcome->result.steps);
    }

    void sweepStops() {
        QVERIFY(m_runs.transferBase());
        ExperimentSettings s;
        Fixture f;
        f.sweep(SweepRequest{7, s, m_runs.base, m_runs.data, {1, 2, 4, 8, 16, 32, 64}, {}});
        QTRY_VERIFY_WITH_TIMEOUT(!f.rec->points.empty(), 60000);
        f.worker->requestStop();
        QTRY_VERIFY_WITH_TIMEOUT(f.rec->sweepStopped.has_value(), 30000);
        QCOMPARE(*f.rec->sweepStopped, true);
        QVERIFY(f.rec->points.size() < 7);
    }

    // The session's shutdown: stop, quit, join — with a run still in progress.
    void quitDuringARun() {
        auto thread = std::make_unique<QThread>();
        auto* worker = new TrainingWorker;
        worker->moveToThread(thread.get());
        Recorder rec(worker);
        thread->start();
        QMetaObject::invokeMethod(
            worker, "run", Qt::QueuedConnection,
            Q_ARG(RunRequest, m_runs.request(RunKind::Base, ExperimentSettings::forPreset(
                                                                ExperimentPreset::FixWeakDigit))));
        QTRY_VERIFY_WITH_TIMEOUT(!rec.steps.empty(), 60000);
        worker->requestStop();
        thread->quit();
        QVERIFY(thread->wait(30000));
        delete worker;
    }
};

QTEST_MAIN(TestTrainingWorkerStop)
#include "tst_training_worker_stop.moc"
