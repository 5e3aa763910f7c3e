#pragma once
// `lora-explorer --startup-time`: how long a cold start takes to put pixels on the screen.
// Times are counted from the process's start (the kernel's /proc/self/stat starttime, 10 ms
// ticks, so exec, dynamic linking and static initialisers are included) to the end of the
// first paint of the watched window: the backing-store pass that paints it and its children
// and flushes them to the screen. Then it prints one JSON line and quits the event loop:
//   {"first_paint_ms": 352.8, "main_ms": 71.8, "app_ms": 94.8, "window_ms": 283.4}
// main_ms is when main() began, the others the instants mark()ed, all from process start.
#include <QObject>
#include <QPointer>
#include <QWidget>

class StartupTimer : public QObject {
    Q_OBJECT
public:
    // Construct first thing in main(): that instant is reported as main_ms.
    explicit StartupTimer(QObject* parent = nullptr);

    // Milliseconds since the process started, or since this object was made when
    // /proc/self/stat cannot be read (then main_ms is 0).
    double sinceProcessStart() const;
    void mark(const char* name); // records a named instant, printed with the result
    // Watches `window`'s first paint; at its end prints the JSON line to stdout and, when
    // `quit` is set, ends the event loop with exit code 0.
    void watch(QWidget* window, bool quit = true);

    double firstPaintMs() const { return m_firstPaintMs; } // < 0 until painted

signals:
    void firstPaintFinished(double ms);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void finish();

    double m_startOffsetMs = 0.0; // process start → construction of this object
    qint64 m_constructedNs = 0;   // steady clock at construction
    double m_firstPaintMs = -1.0;
    bool m_paintSeen = false;
    bool m_quit = true;
    QPointer<QWidget> m_window;
    QList<QPair<QByteArray, double>> m_marks;
};
