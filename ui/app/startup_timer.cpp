#include "app/startup_timer.h"

#include <QApplication>
#include <QEvent>
#include <QFile>
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <unistd.h>

namespace {

qint64 steadyNs() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// How long ago the kernel started this process, in ms; < 0 when unknown. starttime (field
// 22 of /proc/self/stat) counts clock ticks since boot on CLOCK_BOOTTIME's time line.
double processAgeMs() {
    QFile stat(QStringLiteral("/proc/self/stat"));
    if (!stat.open(QIODevice::ReadOnly)) return -1.0;
    const QByteArray text = stat.readAll();
    const qsizetype paren = text.lastIndexOf(')'); // the command name may hold spaces
    if (paren < 0) return -1.0;
    const QList<QByteArray> fields = text.mid(paren + 2).split(' '); // from field 3 on
    if (fields.size() <= 19) return -1.0;
    bool ok = false;
    const double ticks = fields[19].toDouble(&ok);
    const long hz = sysconf(_SC_CLK_TCK);
    timespec now{};
    if (!ok || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &now) != 0) return -1.0;
    const double nowMs = now.tv_sec * 1e3 + now.tv_nsec / 1e6;
    return nowMs - ticks * 1e3 / double(hz);
}

} // namespace

StartupTimer::StartupTimer(QObject* parent) : QObject(parent), m_constructedNs(steadyNs()) {
    m_startOffsetMs = std::max(0.0, processAgeMs());
}

double StartupTimer::sinceProcessStart() const {
    return m_startOffsetMs + double(steadyNs() - m_constructedNs) / 1e6;
}

void StartupTimer::mark(const char* name) {
    m_marks.append({QByteArray(name), sinceProcessStart()});
}

void StartupTimer::watch(QWidget* window, bool quit) {
    m_window = window;
    m_quit = quit;
    // Application-wide: the first paint may reach a child before the window itself.
    qApp->installEventFilter(this);
}

bool StartupTimer::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() == QEvent::Paint && !m_paintSeen && m_window && watched->isWidgetType() &&
        static_cast<QWidget*>(watched)->window() == m_window) {
        m_paintSeen = true;
        qApp->removeEventFilter(this);
        // A filter runs before the paint. The backing store paints every dirty widget and
        // flushes in this one pass; a queued call runs once the pass has returned.
        QMetaObject::invokeMethod(this, &StartupTimer::finish, Qt::QueuedConnection);
    }
    return QObject::eventFilter(watched, event);
}

void StartupTimer::finish() {
    m_firstPaintMs = sinceProcessStart();
    QByteArray json = "{\"first_paint_ms\": " + QByteArray::number(m_firstPaintMs, 'f', 1) +
                      ", \"main_ms\": " + QByteArray::number(m_startOffsetMs, 'f', 1);
    for (const auto& [name, ms] : m_marks)
        json += ", \"" + name + "_ms\": " + QByteArray::number(ms, 'f', 1);
    json += "}\n";
    std::fputs(json.constData(), stdout);
    std::fflush(stdout);
    emit firstPaintFinished(m_firstPaintMs);
    if (m_quit) QCoreApplication::exit(0);
}
