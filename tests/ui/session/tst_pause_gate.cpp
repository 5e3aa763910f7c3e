// PauseGate: a loop goes straight through while running; parks while paused (running its
// flush first, once); stepOnce lets exactly one batch through; a stop request plus wake()
// releases a parked loop with false; setPaused(false) forgets steps not taken. With a pace,
// batches are spaced at least 1/pace apart (a lower bound only: no timed upper bound on a
// shared machine), a stop, a faster pace or full speed release a loop waiting out a slow
// one, and a single step while paused does not wait for the pace.
#include "session/pause_gate.h"

#include <QElapsedTimer>
#include <QtTest>
#include <atomic>
#include <thread>

class TestPauseGate : public QObject {
    Q_OBJECT
private slots:
    void runningPassesWithoutFlushing() {
        PauseGate gate;
        std::stop_source stop;
        int flushes = 0;
        QVERIFY(gate.wait(stop.get_token(), [&] { ++flushes; }));
        QCOMPARE(flushes, 0);
    }

    void stoppedReturnsFalse() {
        PauseGate gate;
        std::stop_source stop;
        stop.request_stop();
        QVERIFY(!gate.wait(stop.get_token(), {}));
        gate.setPaused(true);
        QVERIFY(!gate.wait(stop.get_token(), {})); // does not park once stopped
    }

    void stepOnceLetsExactlyOneBatchThrough() {
        PauseGate gate;
        std::stop_source stop;
        gate.stepOnce(); // not paused: ignored, not banked
        gate.setPaused(true);
        gate.stepOnce();
        QVERIFY(gate.wait(stop.get_token(), {})); // the allowed step, without parking
        std::atomic<int> passed{0}, flushes{0};
        std::thread loop([&] {
            if (gate.wait(stop.get_token(), [&] { ++flushes; })) ++passed;
        });
        QVERIFY(QTest::qWaitFor([&] { return flushes.load() == 1; }, 5000)); // parked
        QCOMPARE(passed.load(), 0);
        gate.stepOnce();
        loop.join();
        QCOMPARE(passed.load(), 1);
        QCOMPARE(flushes.load(), 1);
    }

    void stopReleasesAParkedLoop() {
        PauseGate gate;
        std::stop_source stop;
        gate.setPaused(true);
        std::atomic<int> result{-1};
        std::atomic<bool> parked{false};
        std::thread loop([&] { result = gate.wait(stop.get_token(), [&] { parked = true; }); });
        QVERIFY(QTest::qWaitFor([&] { return parked.load(); }, 5000));
        stop.request_stop();
        gate.wake();
        loop.join();
        QCOMPARE(result.load(), 0);
    }

    void resumingForgetsBankedSteps() {
        PauseGate gate;
        std::stop_source stop;
        gate.setPaused(true);
        gate.stepOnce();
        gate.stepOnce();
        gate.setPaused(false);
        gate.setPaused(true);
        std::atomic<bool> parked{false};
        std::thread loop([&] { gate.wait(stop.get_token(), [&] { parked = true; }); });
        QVERIFY(QTest::qWaitFor([&] { return parked.load(); }, 5000)); // no step left
        gate.setPaused(false);
        loop.join();
        QVERIFY(!gate.isPaused());
    }

    void paceSpacesTheBatches() {
        PauseGate gate;
        std::stop_source stop;
        gate.setPace(50.0);
        QCOMPARE(gate.pace(), 50.0);
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < 6; ++i) QVERIFY(gate.wait(stop.get_token(), {}));
        QVERIFY2(timer.elapsed() >= 95, qPrintable(QString("%1 ms").arg(timer.elapsed())));
        gate.setPace(0.0);
        QCOMPARE(gate.pace(), 0.0);
    }

    void aSlowPaceIsLeftAtOnce_data() {
        QTest::addColumn<QString>("how");
        QTest::newRow("stop") << "stop";
        QTest::newRow("full speed") << "full speed";
        QTest::newRow("faster pace") << "faster pace";
    }
    void aSlowPaceIsLeftAtOnce() {
        QFETCH(QString, how);
        PauseGate gate;
        std::stop_source stop;
        gate.setPace(0.01);                       // one batch per 100 s
        QVERIFY(gate.wait(stop.get_token(), {})); // the first goes at once
        std::atomic<int> result{-1};
        std::thread loop([&] { result = gate.wait(stop.get_token(), {}) ? 1 : 0; });
        QTest::qWait(50);
        QCOMPARE(result.load(), -1); // waiting out the pace
        if (how == "stop") {
            stop.request_stop();
            gate.wake();
        } else {
            gate.setPace(how == "full speed" ? 0.0 : 1000.0);
        }
        QVERIFY(QTest::qWaitFor([&] { return result.load() >= 0; }, 5000));
        loop.join();
        QCOMPARE(result.load(), how == "stop" ? 0 : 1);
    }

    void aStepDoesNotWaitForThePace() {
        PauseGate gate;
        std::stop_source stop;
        gate.setPace(0.01);
        QVERIFY(gate.wait(stop.get_token(), {}));
        gate.setPaused(true);
        gate.stepOnce();
        std::atomic<bool> passed{false};
        std::thread loop([&] { passed = gate.wait(stop.get_token(), {}); });
        QVERIFY(QTest::qWaitFor([&] { return passed.load(); }, 5000));
        loop.join();
    }
};

QTEST_GUILESS_MAIN(TestPauseGate)
#include "tst_pause_gate.moc"
