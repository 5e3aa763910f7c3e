#pragma once
// gui_latency's instruments: a QApplication that reports each finished paint and flush, and
// event loops that run for a while or until something holds.
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace gui_latency {

// Reports every finished Paint and UpdateRequest, after the receiver has handled it.
class TimingApplication : public QApplication {
public:
    using QApplication::QApplication;
    std::function<void(QObject*, QEvent::Type)> afterEvent;
    QElapsedTimer clock;
    bool traceAll = false; // --trace: events handled for ≥ 0.5 ms (all of them with TRACE_ALL=1)
    QList<QString>* traceSink = nullptr;

    bool notify(QObject* receiver, QEvent* event) override {
        const QEvent::Type type = event->type();
        const bool tracing = traceAll && traceSink;
        // Named before delivery: the receiver may delete itself while handling the event.
        const QString name =
            tracing ? QStringLiteral("%1 %2/%3%4")
                          .arg(int(type))
                          .arg(receiver->metaObject()->className())
                          .arg(receiver->objectName())
                          .arg(receiver->objectName().isEmpty() && receiver->parent()
                                   ? QStringLiteral("(in %1)").arg(receiver->parent()->objectName())
                                   : QString())
                    : QString();
        const qint64 start = clock.nsecsElapsed();
        const bool result = QApplication::notify(receiver, event);
        if ((type == QEvent::Paint || type == QEvent::UpdateRequest) && afterEvent)
            afterEvent(receiver, type);
        if (tracing) {
            const qint64 end = clock.nsecsElapsed();
            if (end - start > (qEnvironmentVariableIsSet("TRACE_ALL") ? 0 : 500000)) // ≥ 0.5 ms
                traceSink->append(QStringLiteral("%1 %2-%3")
                                      .arg(name)
                                      .arg(double(start) / 1e6, 0, 'f', 1)
                                      .arg(double(end) / 1e6, 0, 'f', 1));
        }
        return result;
    }
};

inline double ms(qint64 ns) {
    return double(ns) / 1e6;
}

inline double percentile(std::vector<double> v, double p) { // nearest rank
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto k = static_cast<std::size_t>(std::ceil(p * double(v.size())));
    return v[std::clamp<std::size_t>(k, 1, v.size()) - 1];
}

// Runs a real event loop (the thread sleeps in poll() while idle, as in the app) until
// `ready` holds, checked every `pollMs`; false after `timeoutMs`.
inline bool waitUntil(const std::function<bool()>& ready, int timeoutMs, int pollMs = 5) {
    if (ready()) return true;
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (ready()) loop.quit();
    });
    poll.start(pollMs);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return ready();
}

inline void runFor(int msToRun) {
    QEventLoop loop;
    QTimer::singleShot(msToRun, &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace gui_latency
