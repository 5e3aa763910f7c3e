// TrainingTab: one smoothed loss series per run with a point per reported step, earlier
// runs faded but kept, per-epoch validation points, the status line, clear().
#include "session/run_history.h"
#include "tabs/training/training_tab.h"
#include "widgets/chart_view.h"

#include <QChart>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QValueAxis>
#include <QtTest>
#include <cmath>
#include <limits>

namespace {

StepBatch steps(int runId, long first, int count, long total, float loss = 0.5f) {
    StepBatch b;
    b.runId = runId;
    b.firstStep = first;
    b.losses.assign(count, loss);
    b.epoch = 1;
    b.stepsDone = first + count - 1;
    b.stepsTotal = total;
    b.samplesPerSecond = 12345.6;
    b.etaSeconds = 75;
    return b;
}

EpochUpdate epoch(int runId, int e, float validLoss, float accuracy) {
    EpochUpdate u;
    u.runId = runId;
    u.progress.epoch = e;
    u.progress.validLoss = validLoss;
    u.progress.validAccuracy = accuracy;
    return u;
}

QLineSeries* seriesNamed(ChartView* view, const QString& name) {
    for (QAbstractSeries* s : view->chart()->series())
        if (s->name() == name) return qobject_cast<QLineSeries*>(s);
    return nullptr;
}

} // namespace

class TestTrainingTab : public QObject {
    Q_OBJECT
private slots:
    void pointCountsFollowReportedSteps_data() {
        QTest::addColumn<QList<int>>("batchSizes");
        QTest::newRow("one batch") << QList<int>{7};
        QTest::newRow("several") << QList<int>{3, 1, 30, 5};
        QTest::newRow("none") << QList<int>{};
    }
    void pointCountsFollowReportedSteps() {
        QFETCH(QList<int>, batchSizes);
        TrainingTab panel;
        panel.runStarted(1, RunKind::Base, "base 784-64-2");
        long next = 1, total = 0;
        for (int n : batchSizes) total += n;
        for (int n : batchSizes) {
            panel.stepsReported(steps(1, next, n, total));
            next += n;
        }
        QCOMPARE(panel.runCount(), 1);
        QCOMPARE(panel.stepPointCount(1), static_cast<int>(total));
        QLineSeries* loss = seriesNamed(panel.lossChart(), "base 784-64-2");
        QVERIFY(loss);
        QCOMPARE(loss->count(), static_cast<int>(total));
        if (total > 0) {
            QCOMPARE(loss->at(0).x(), 1.0);
            QCOMPARE(loss->at(loss->count() - 1).x(), static_cast<double>(total));
        }
    }

    // A constant loss must smooth to itself: the bias correction keeps the start from 0.
    void smoothingIsDebiased() {
        TrainingTab panel;
        panel.runStarted(1, RunKind::Base, "base");
        panel.stepsReported(steps(1, 1, 20, 20, 0.7f));
        QLineSeries* loss = seriesNamed(panel.lossChart(), "base");
        for (int i = 0; i < loss->count(); ++i) QVERIFY(qAbs(loss->at(i).y() - 0.7) < 1e-6);
        auto* y = qobject_cast<QValueAxis*>(loss->attachedAxes().at(1));
        QVERIFY(y);
        QCOMPARE(y->min(), 0.0);
        QVERIFY(y->max() >= 0.7);
    }

    // A NaN batch is left out instead of turning every later smoothed point into NaN.
    void nonFiniteLossesAreSkipped() {
        TrainingTab panel;
        panel.runStarted(1, RunKind::Base, "base");
        StepBatch b = steps(1, 1, 4, 4, 0.5f);
        b.losses[1] = std::numeric_limits<float>::quiet_NaN();
        panel.stepsReported(b);
        QLineSeries* loss = seriesNamed(panel.lossChart(), "base");
        QCOMPARE(loss->count(), 3);
        QCOMPARE(loss->at(1).x(), 3.0);
        for (int i = 0; i < loss->count(); ++i) QVERIFY(std::isfinite(loss->at(i).y()));
    }

    void earlierRunsFadeButStay() {
        TrainingTab panel;
        panel.runStarted(1, RunKind::Base, "base 784-64-2");
        panel.stepsReported(steps(1, 1, 10, 10));
        panel.epochFinished(epoch(1, 1, 0.3f, 96.0f));
        QLineSeries* first = seriesNamed(panel.lossChart(), "base 784-64-2");
        QCOMPARE(first->pen().color().alpha(), 255);

        panel.runStarted(2, RunKind::Lora, "LoRA r4 α1");
        panel.stepsReported(steps(2, 1, 4, 40));
        QCOMPARE(panel.runCount(), 2);
        QCOMPARE(panel.stepPointCount(1), 10);
        QCOMPARE(panel.stepPointCount(2), 4);
        QLineSeries* second = seriesNamed(panel.lossChart(), "LoRA r4 α1");
        QVERIFY(second);
        QVERIFY(first->pen().color().alpha() < 128);
        QVERIFY(first->pen().widthF() < second->pen().widthF());
        QCOMPARE(second->pen().color().alpha(), 255);
        QVERIFY(first->pen().color().rgb() != second->pen().color().rgb());
        QLineSeries* firstAccuracy = seriesNamed(panel.epochChart(), "base 784-64-2 accuracy");
        QVERIFY(firstAccuracy);
        QVERIFY(firstAccuracy->pen().color().alpha() < 128);
        QCOMPARE(firstAccuracy->count(), 1);
        QCOMPARE(firstAccuracy->at(0), QPointF(1, 96.0));
        // The legend names runs by their labels.
        QVERIFY(panel.lossChart()->chart()->legend()->isVisible());
    }

    void epochSeriesUseTwoAxes() {
        TrainingTab panel;
        panel.runStarted(3, RunKind::Full, "full fine-tune");
        for (int e = 1; e <= 5; ++e) panel.epochFinished(epoch(3, e, 1.0f / e, 80.0f + e));
        QLineSeries* loss = seriesNamed(panel.epochChart(), "full fine-tune loss");
        QLineSeries* accuracy = seriesNamed(panel.epochChart(), "full fine-tune accuracy");
        QVERIFY(loss && accuracy);
        QCOMPARE(loss->count(), 5);
        QCOMPARE(accuracy->at(4), QPointF(5, 85.0));
        auto* accuracyAxis = qobject_cast<QValueAxis*>(accuracy->attachedAxes().at(1));
        auto* lossAxis = qobject_cast<QValueAxis*>(loss->attachedAxes().at(1));
        QVERIFY(accuracyAxis && lossAxis && accuracyAxis != lossAxis);
        QCOMPARE(accuracyAxis->min(), 0.0);
        QCOMPARE(accuracyAxis->max(), 100.0);
        QVERIFY(lossAxis->max() >= 1.0);
        auto* epochAxis = qobject_cast<QValueAxis*>(loss->attachedAxes().at(0));
        QVERIFY(epochAxis->max() >= 5);
    }

    // Paused, the status says where the run stands, never an ETA (time is not passing).
    void pausedStatusHasNoEta() {
        TrainingTab panel;
        auto* status = panel.findChild<QLabel*>("statusLabel");
        panel.runStarted(1, RunKind::Lora, "LoRA r4 α1");
        StepBatch b = steps(1, 1, 5, 640);
        b.epoch = 2;
        b.stepsDone = 130;
        panel.stepsReported(b);
        QVERIFY(status->text().contains("ETA"));
        panel.setPaused(true);
        QCOMPARE(status->text(), QString("LoRA r4 α1: paused at epoch 2, step 130/640 · Space "
                                         "resumes"));
        b = steps(1, 6, 1, 640); // the batch already on its way when the pause came
        b.epoch = 2;
        b.stepsDone = 131;
        panel.stepsReported(b);
        QVERIFY2(!status->text().contains("ETA") && status->text().contains("131/640"),
                 qPrintable(status->text()));
        panel.setPaused(false);
        panel.stepsReported(b);
        QVERIFY(status->text().contains("ETA"));
    }

    void statusLine() {
        TrainingTab panel;
        auto* status = panel.findChild<QLabel*>("statusLabel");
        QVERIFY(status);
        panel.runStarted(1, RunKind::Lora, "LoRA r4 α1");
        StepBatch b = steps(1, 1, 5, 640);
        b.epoch = 2;
        b.stepsDone = 130;
        panel.stepsReported(b);
        QCOMPARE(status->text(), QString("LoRA r4 α1: epoch 2, step 130/640, 12346 samples/s, "
                                         "ETA 1:15"));
        RunOutcome outcome;
        outcome.runId = 1;
        outcome.result.stopped = true;
        outcome.result.steps = 130;
        panel.runFinished(outcome);
        QCOMPARE(status->text(), QString("LoRA r4 α1: stopped after 130 steps"));
    }

    // Seed 000's LoRA run takes some 25 ms: the status says so instead of "0.0 s".
    void finishedStatusGivesTheDuration_data() {
        QTest::addColumn<double>("seconds");
        QTest::addColumn<QString>("duration");
        QTest::addRow("25 ms") << 0.0248 << "25 ms";
        QTest::addRow("2.5 s") << 2.46 << "2.5 s";
        QTest::addRow("2:05 min") << 125.2 << "2:05 min";
    }
    void finishedStatusGivesTheDuration() {
        QFETCH(double, seconds);
        QFETCH(QString, duration);
        TrainingTab panel;
        panel.runStarted(1, RunKind::Lora, "LoRA r4 α1");
        RunOutcome outcome;
        outcome.runId = 1;
        outcome.result.steps = 130;
        outcome.result.seconds = seconds;
        outcome.result.samplesPerSecond = 8320 / seconds;
        outcome.testAccuracy = 98.51f;
        panel.runFinished(outcome);
        QCOMPARE(panel.findChild<QLabel*>("statusLabel")->text(),
                 QString("LoRA r4 α1: done, 130 steps in %1, %2 samples/s, test accuracy 98.51 %")
                     .arg(duration)
                     .arg(std::lround(8320 / seconds)));
    }

    // Two runs of one label (two LoRA runs at r4 α1) get distinct names, so the legend and
    // the CSV never repeat one; a replay numbers them the same way again.
    void repeatedLabelsAreNumbered() {
        TrainingTab panel;
        for (int id = 1; id <= 3; ++id) {
            panel.runStarted(id, RunKind::Lora, "LoRA r4 α1");
            panel.stepsReported(steps(id, 1, 4, 4));
            panel.epochFinished(epoch(id, 1, 0.3f, 96.0f));
        }
        for (const char* name : {"LoRA r4 α1", "LoRA r4 α1 (2)", "LoRA r4 α1 (3)"})
            QVERIFY2(seriesNamed(panel.lossChart(), name), name);
        for (ChartView* chart : {panel.lossChart(), panel.epochChart()}) {
            const QStringList header = chart->csv().section('\n', 0, 0).split(',');
            QCOMPARE(QSet<QString>(header.begin(), header.end()).size(), header.size());
        }
        QStringList legend;
        for (QLegendMarker* m : panel.epochChart()->chart()->legend()->markers())
            if (!m->series()->name().endsWith(" accuracy")) legend << m->label(); // hidden ones
        QCOMPARE(legend, (QStringList{"LoRA r4 α1", "LoRA r4 α1 (2)", "LoRA r4 α1 (3)"}));
    }

    void clearButtonAsksToForgetRuns() {
        TrainingTab panel;
        QPushButton* button = panel.clearButton();
        QVERIFY(!button->isEnabled()); // nothing to clear
        panel.runStarted(1, RunKind::Base, "base");
        QVERIFY(button->isEnabled());
        QSignalSpy asked(&panel, &TrainingTab::clearRunsRequested);
        button->click();
        QCOMPARE(asked.size(), 1);
        panel.clear();
        QVERIFY(!button->isEnabled());
    }

    void clearEmptiesEverything() {
        TrainingTab panel;
        panel.runStarted(1, RunKind::Base, "base");
        panel.stepsReported(steps(1, 1, 10, 10));
        panel.epochFinished(epoch(1, 1, 0.3f, 96.0f));
        panel.runStarted(2, RunKind::Lora, "LoRA");
        panel.clear();
        QCOMPARE(panel.runCount(), 0);
        QCOMPARE(panel.stepPointCount(1), 0);
        QVERIFY(panel.lossChart()->chart()->series().isEmpty());
        QVERIFY(panel.epochChart()->chart()->series().isEmpty());
        // Reports for a cleared run are ignored rather than resurrecting it.
        panel.stepsReported(steps(1, 11, 3, 20));
        QCOMPARE(panel.runCount(), 0);
        panel.runStarted(3, RunKind::Base, "again");
        panel.stepsReported(steps(3, 1, 2, 2));
        QCOMPARE(panel.stepPointCount(3), 2);
    }

    // A session's whole history replayed through RunHistory, wired as the main window wires
    // it: only the newest kMaxDrawnRuns stay drawn (the chart cost per update grows with
    // the series drawn, so drawing all made a replay quadratic), the newest one bold, and
    // the axes cover what is drawn.
    void replayDrawsOnlyTheNewestRuns() {
        RecordedHistory recorded;
        for (int id = 1; id <= RunHistory::kMaxRuns; ++id) {
            RecordedRun run;
            run.id = id;
            run.label = QString("run %1").arg(id);
            run.losses.assign(50, id == 1 ? 9.0f : 0.5f); // only the oldest run is high
            run.epochs.push_back({1, 0.5f, 0.5f, 90.0f, 0});
            run.finished = true;
            recorded.runs.push_back(run);
        }
        RunHistory history(nullptr);
        history.restore(recorded);
        TrainingTab panel;
        connect(&history, &RunHistory::replayCleared, &panel, &TrainingTab::clear);
        connect(&history, &RunHistory::replayRunStarted, &panel, &TrainingTab::runStarted);
        connect(&history, &RunHistory::replayStepsReported, &panel, &TrainingTab::stepsReported);
        connect(&history, &RunHistory::replayEpochFinished, &panel, &TrainingTab::epochFinished);
        connect(&history, &RunHistory::replayRunFinished, &panel, &TrainingTab::runFinished);
        history.replay();
        QCOMPARE(panel.runCount(), TrainingTab::kMaxDrawnRuns);
        QCOMPARE(panel.lossChart()->chart()->series().size(), TrainingTab::kMaxDrawnRuns);
        QCOMPARE(panel.stepPointCount(1), 0);
        QCOMPARE(panel.stepPointCount(RunHistory::kMaxRuns), 50);
        const QString newest = QString("run %1").arg(RunHistory::kMaxRuns);
        const QString older = QString("run %1").arg(RunHistory::kMaxRuns - 1);
        QCOMPARE(seriesNamed(panel.lossChart(), newest)->pen().widthF(), 2.0);
        QCOMPARE(seriesNamed(panel.lossChart(), older)->pen().widthF(), 1.2);
        const auto* y =
            qobject_cast<QValueAxis*>(panel.lossChart()->chart()->axes(Qt::Vertical)[0]);
        QVERIFY(y->max() < 1.0); // run 1's losses of 9 are no longer drawn
    }
};

QTEST_MAIN(TestTrainingTab)
#include "tst_training_tab.moc"
