// The status bar through the assembled window (StatusReport): an error gives way once
// something works, a paused run shows no ETA, and Stop leaves an empty bar.
#include "app/main_window.h"
#include "docks/controls_dock.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "window_runs.h"

#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using lora::test::trainAndWait;

namespace {

bool waitUntil(const std::function<bool()>& ready, int ms) {
    return QTest::qWaitFor(ready, ms);
}

} // namespace

class TestStatusReport : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a throwaway place
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_status_report");
        QSettings().clear();
    }

    // The status bar tells the truth: an error gives way once something works (here a good
    // import), a paused run shows no ETA, and Stop leaves an empty bar, not a half-full one.
    void statusBarStaysTruthful() {
        MainWindow w;
        w.show();
        auto* text = w.findChild<QLabel*>("statusText");
        auto* bar = w.findChild<QProgressBar*>("statusProgress");
        QVERIFY(text && bar);
        QVERIFY(trainAndWait(w, "trainBaseAction"));
        QVERIFY(trainAndWait(w, "trainLoraAction"));
        const QString adapter = m_dir.filePath("status-adapter");
        QVERIFY(w.session()->exportAdapter(adapter));
        auto* edit = w.controls()->findChild<QLineEdit*>("targetClassesEdit");
        edit->setText("7,12");
        emit edit->editingFinished();
        QCOMPARE(text->text(), w.lastError());
        QVERIFY(w.session()->adapters()->importAdapter(adapter, "again"));
        QVERIFY2(!text->text().contains("class 12"), qPrintable(text->text()));

        w.session()->setSettings(ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
        QSignalSpy steps(w.session(), &ExperimentSession::stepsReported);
        w.action("trainBaseAction")->trigger();
        QVERIFY(waitUntil([&] { return steps.count() > 0; }, 30000));
        w.action("pauseAction")->trigger();
        QVERIFY(waitUntil([&] { return w.session()->isPaused(); }, 5000));
        QTest::qWait(200); // batches already on their way land while paused
        QVERIFY2(text->text().contains("paused") && !text->text().contains("ETA"),
                 qPrintable(text->text()));
        QVERIFY(bar->value() > 0);
        w.action("stopAction")->trigger();
        QVERIFY(waitUntil([&] { return !w.session()->isRunning(); }, 5000));
        QVERIFY2(text->text().contains("stopped"), qPrintable(text->text()));
        QCOMPARE(bar->value(), bar->minimum());
    }
};

QTEST_MAIN(TestStatusReport)
#include "tst_status_report.moc"
