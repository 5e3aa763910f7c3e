#pragma once
// One cancellable job at a time for a panel: start() asks the previous job to stop and runs
// the new one on backgroundPool(), so a second Run click never waits for the first to wind
// down. Only the newest job's outcome is reported, on the GUI thread; a job's progress
// callbacks check isCurrent(generation) so a superseded run cannot paint over a new one.
// The destructor stops and joins every job still running, so panels may capture `this`.
#include <QFuture>
#include <QList>
#include <QObject>
#include <QString>
#include <functional>
#include <stop_token>

template <typename T> class QFutureWatcher;

class BackgroundTask : public QObject {
    Q_OBJECT
public:
    struct Outcome {
        int generation = 0;
        bool stopped = false;
        QString error; // one line; empty on success
    };

    explicit BackgroundTask(QObject* parent = nullptr);
    ~BackgroundTask() override;

    // `work` runs off the GUI thread; an exception becomes failed(message). Returns the job's
    // generation, which its progress callbacks pass to isCurrent().
    int start(std::function<void(std::stop_token)> work);
    void stop(); // returns at once; finished(stopped = true) follows when the job ends
    bool isRunning() const { return m_running; }
    bool isCurrent(int generation) const { return generation == m_generation; }
    void waitForIdle(); // joins every job (tests, destructor)

signals:
    void finished(bool stopped); // the newest job ended without an exception
    void failed(const QString& message);
    void runningChanged(bool running);

private:
    void onFinished();

    int m_generation = 0;
    bool m_running = false;
    std::stop_source m_stop;
    QList<QFuture<Outcome>> m_jobs; // not yet joined, superseded ones included
    QFutureWatcher<Outcome>* m_watcher = nullptr;
};
