// PauseGate: a loop goes straight through while running; parks while paused (running its
// flush first, once); stepOnce lets exactly one batch through; a stop request plus wake()
// releases a parked loop with false; setPaused(false) forgets steps not taken.
#include "session/pause_gate.h"

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
};

QTEST_GUILESS_MAIN(TestPauseGate)
#include "tst_pause_gate.moc"
