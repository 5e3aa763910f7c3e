#pragma once
// How long the GUI thread's event loop went without turning, seen from a 10 ms QTimer on it.
//
// Each gap between two ticks is split with the thread's scheduler statistics
// (/proc/thread-self/schedstat on Linux, field 2: nanoseconds spent runnable but waiting for a
// CPU). That wait is the machine's doing — another process, a busy shared CI host — not the
// app's, so ownStall = gap − wait is what the app itself held the thread for: handlers running
// or the thread blocked on something of ours. Without schedstat, ownStall = gap.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <algorithm>
#include <fstream>

namespace lora::test {

class GuiStallProbe : public QObject {
public:
    explicit GuiStallProbe(QObject* parent = nullptr) : QObject(parent) {
        m_timer.setInterval(10);
        connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    }

    void start() {
        m_worstGapMs = m_worstOwnStallMs = 0;
        m_lastWaitNs = runQueueWaitNs();
        m_clock.start();
        m_timer.start();
    }
    void stop() {
        tick(); // a stall just before stop() counts too
        m_timer.stop();
    }

    qint64 worstGapMs() const { return m_worstGapMs; }
    qint64 worstOwnStallMs() const { return m_worstOwnStallMs; }

private:
    static long long runQueueWaitNs() {
        std::ifstream stat("/proc/thread-self/schedstat");
        long long onCpu = 0, waiting = 0;
        if (!(stat >> onCpu >> waiting)) return 0;
        return waiting;
    }

    void tick() {
        const qint64 gap = m_clock.restart();
        const long long wait = runQueueWaitNs();
        const qint64 waitedMs = (wait - m_lastWaitNs) / 1000000;
        m_lastWaitNs = wait;
        m_worstGapMs = std::max(m_worstGapMs, gap);
        m_worstOwnStallMs = std::max(m_worstOwnStallMs, gap - waitedMs);
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    long long m_lastWaitNs = 0;
    qint64 m_worstGapMs = 0, m_worstOwnStallMs = 0;
};

} // namespace lora::test
