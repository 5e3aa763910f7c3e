// RunHistory records what a real session reports (a base run on seed 000's settings and a
// two-point sweep) as raw numbers, and replay() sends them back as its replay* signals in
// the order the tabs need: cleared, each run's start, losses, epochs and result, then the
// sweep. restore() replaces the record; clear() empties it.
#include "session/experiment_session.h"
#include "session/run_history.h"

#include <QSignalSpy>
#include <QtTest>

namespace {

bool waitIdle(ExperimentSession& s) {
    return QTest::qWaitFor([&] { return !s.isRunning(); }, 60000);
}

} // namespace

class TestRunHistory : public QObject {
    Q_OBJECT
private slots:
    void recordsAndReplaysARun() {
        ExperimentSession session;
        RunHistory history(&session);
        QSignalSpy finished(&session, &ExperimentSession::runFinished);
        session.trainBase();
        QVERIFY(waitIdle(session));
        QCOMPARE(finished.size(), 1);
        const RunOutcome outcome = finished[0][0].value<RunOutcome>();

        QCOMPARE(int(history.runs().size()), 1);
        const RecordedRun& run = history.runs().front();
        QCOMPARE(run.id, outcome.runId);
        QCOMPARE(run.kind, RunKind::Base);
        QCOMPARE(run.firstStep, 1L);
        QCOMPARE(long(run.losses.size()), outcome.result.steps);
        QCOMPARE(run.losses, outcome.result.stepLosses);
        QCOMPARE(int(run.epochs.size()), 1);
        QVERIFY(run.finished);
        QCOMPARE(run.testAccuracy, outcome.testAccuracy);
        QCOMPARE(history.lastRunId(), outcome.runId);

        QStringList order;
        auto note = [&](const char* what) { return [&order, what] { order << what; }; };
        connect(&history, &RunHistory::replayCleared, this, note("cleared"));
        connect(&history, &RunHistory::replayRunStarted, this, note("started"));
        connect(&history, &RunHistory::replayEpochFinished, this, note("epoch"));
        connect(&history, &RunHistory::replayRunFinished, this, note("finished"));
        connect(&history, &RunHistory::replaySweepCleared, this, note("sweep cleared"));
        QSignalSpy steps(&history, &RunHistory::replayStepsReported);
        connect(&history, &RunHistory::replayStepsReported, this, note("steps"));
        history.replay();
        QCOMPARE(order, (QStringList{"cleared", "started", "steps", "epoch", "finished",
                                     "sweep cleared"}));
        const StepBatch batch = steps[0][0].value<StepBatch>();
        QCOMPARE(batch.losses, run.losses);
        QCOMPARE(batch.stepsDone, outcome.result.steps);
    }

    void recordsASweep() {
        ExperimentSession session;
        ExperimentSettings s = session.settings();
        s.maxSteps = 5;
        QVERIFY(session.setSettings(s));
        RunHistory history(&session);
        session.trainBase();
        QVERIFY(waitIdle(session));
        session.runSweep({1, 2}, {});
        QVERIFY(waitIdle(session));
        QCOMPARE(int(history.sweep().points.size()), 2);
        QVERIFY(history.sweep().finished);
        QVERIFY(!history.sweep().stopped);
        QCOMPARE(history.sweep().points[1].rank, 2);
        QSignalSpy points(&history, &RunHistory::replaySweepPoint);
        QSignalSpy done(&history, &RunHistory::replaySweepFinished);
        history.replay();
        QCOMPARE(points.size(), 2);
        QCOMPARE(done.size(), 1);
        QCOMPARE(done[0][0].toInt(), history.sweep().id);
        QCOMPARE(history.lastRunId(), history.sweep().id);
    }

    // Recording past RunHistory::kMaxRuns drops the oldest run, so a saved session can always
    // be read back (reading refuses more).
    void keepsTheNewestRuns() {
        ExperimentSession session;
        RunHistory history(&session);
        for (int id = 1; id <= RunHistory::kMaxRuns + 5; ++id) {
            emit session.runStarted(id, RunKind::Lora, QString("run %1").arg(id));
            StepBatch batch;
            batch.runId = id;
            batch.losses = {float(id)};
            emit session.stepsReported(batch);
        }
        QCOMPARE(int(history.runs().size()), RunHistory::kMaxRuns);
        QCOMPARE(history.runs().front().id, 6);
        QCOMPARE(history.runs().back().id, RunHistory::kMaxRuns + 5);
        QCOMPARE(history.runs().back().losses, std::vector<float>{float(RunHistory::kMaxRuns + 5)});
    }

    // Each run keeps the experiment it was trained in; a change of preset or network
    // replays only that experiment's runs (the tabs are cleared first), clearExperiment()
    // forgets only the current one's, and restored runs without one join the current.
    void runsBelongToTheirExperiment() {
        ExperimentSession session;
        RunHistory history(&session);
        const QString transfer = RunHistory::experimentOf(session.settings());
        QCOMPARE(transfer, QString("Transfer 784-64-2"));
        emit session.runStarted(1, RunKind::Base, "base 784-64-2");
        emit session.runStarted(2, RunKind::Lora, "LoRA r4 α1");
        QSignalSpy cleared(&history, &RunHistory::replayCleared);
        QSignalSpy started(&history, &RunHistory::replayRunStarted);
        QVERIFY(session.setSettings(ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit)));
        QCOMPARE(cleared.size(), 1);
        QCOMPARE(started.size(), 0); // nothing of RichBoyNet yet
        const QString rich = history.experiment();
        QVERIFY(rich.startsWith("FixWeakDigit "));
        emit session.runStarted(3, RunKind::Base, "base RichBoyNet");
        QCOMPARE(history.runCount(transfer), 2);
        QCOMPARE(history.runCount(rich), 1);

        ExperimentSettings edited = session.settings();
        edited.learningRate = 0.02f; // same experiment: nothing is replayed
        QVERIFY(session.setSettings(edited));
        QCOMPARE(cleared.size(), 1);

        QVERIFY(session.setSettings(ExperimentSettings::forPreset(ExperimentPreset::Transfer)));
        QCOMPARE(cleared.size(), 2);
        QCOMPARE(started.size(), 2);
        QCOMPARE(started[0][0].toInt(), 1);
        QCOMPARE(started[1][0].toInt(), 2);

        history.clearExperiment();
        QCOMPARE(history.runCount(transfer), 0);
        QCOMPARE(history.runCount(rich), 1);
        QCOMPARE(cleared.size(), 3);

        RecordedHistory old; // as read from a session file that predates experiments
        old.runs.resize(1);
        old.runs[0].id = 7;
        history.restore(old);
        QCOMPARE(history.runs()[0].experiment, transfer);
    }

    void restoreAndClear() {
        RunHistory history(nullptr);
        RecordedHistory recorded;
        recorded.runs.resize(2);
        recorded.runs[0].id = 4;
        recorded.runs[1].id = 9;
        recorded.sweep.id = 6;
        history.restore(recorded);
        QCOMPARE(history.lastRunId(), 9);
        QSignalSpy started(&history, &RunHistory::replayRunStarted);
        QSignalSpy steps(&history, &RunHistory::replayStepsReported);
        QSignalSpy finished(&history, &RunHistory::replayRunFinished);
        history.replay();
        QCOMPARE(started.size(), 2);
        QCOMPARE(steps.size(), 0);    // no losses recorded: nothing to draw
        QCOMPARE(finished.size(), 0); // neither run finished
        history.clearSweep();
        QCOMPARE(history.lastRunId(), 9);
        history.clear();
        QCOMPARE(history.lastRunId(), 0);
    }
};

QTEST_MAIN(TestRunHistory)
#include "tst_run_history.moc"
