// Train → Pace through the assembled window: at 20 steps per second seed 000's base (a
// ~30 ms run at full speed) is spread over its steps, reported in many batches, and the
// status bar says it is paced; Full speed again lifts it mid-run. Bounds are lower bounds on
// time only (a paced run cannot be faster than its pace), never upper bounds.
#include "app/main_window.h"
#include "session/experiment_session.h"
#include "session/training_worker.h"

#include <QAction>
#include <QElapsedTimer>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

class TestPaceMenu : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_pace_menu");
        QSettings().clear();
    }

    void twentyStepsPerSecondSpreadsARun() {
        MainWindow w;
        w.show();
        auto* pace20 = w.findChild<QAction*>("pace20");
        auto* full = w.findChild<QAction*>("paceFull");
        QVERIFY(pace20 && full);
        QVERIFY(full->isChecked());
        pace20->trigger();
        QCOMPARE(w.session()->worker()->pace(), 20.0);
        QSignalSpy steps(w.session(), &ExperimentSession::stepsReported);
        QSignalSpy finished(w.session(), &ExperimentSession::runFinished);
        QElapsedTimer timer;
        timer.start();
        w.action("trainBaseAction")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return steps.count() >= 3; }, 30000));
        const auto* text = w.findChild<QLabel*>("statusText");
        QVERIFY2(text->text().contains("paced at 20 steps/s"), qPrintable(text->text()));
        QVERIFY(finished.wait(60000));
        const auto last = steps.last().at(0).value<StepBatch>();
        const double seconds = timer.elapsed() / 1000.0;
        QVERIFY2(seconds >= (last.stepsTotal - 1) / 20.0,
                 qPrintable(QString("%1 steps in %2 s").arg(last.stepsTotal).arg(seconds)));
        QVERIFY2(
            steps.count() >= last.stepsTotal / 4,
            qPrintable(QString("%1 reports of %2 steps").arg(steps.count()).arg(last.stepsTotal)));
    }

    void fullSpeedLiftsThePaceMidRun() {
        MainWindow w;
        w.show();
        w.findChild<QAction*>("pace5")->trigger();
        QSignalSpy steps(w.session(), &ExperimentSession::stepsReported);
        QSignalSpy finished(w.session(), &ExperimentSession::runFinished);
        w.action("trainBaseAction")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return steps.count() >= 1; }, 30000));
        // At 5 steps per second the run would take over 5 s more; full speed ends it at once.
        w.findChild<QAction*>("paceFull")->trigger();
        QCOMPARE(w.session()->worker()->pace(), 0.0);
        QVERIFY(finished.wait(60000));
        QVERIFY(!finished.at(0).at(0).value<RunOutcome>().result.stopped);
    }
};

QTEST_MAIN(TestPaceMenu)
#include "tst_pace_menu.moc"
