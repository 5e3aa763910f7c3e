#include "jobs/background_task.h"

#include "jobs/background_pool.h"
#include "util/error.h"

#include <QFutureWatcher>

#include <exception>
#include <new>

BackgroundTask::BackgroundTask(QObject* parent) : QObject(parent) {
    m_watcher = new QFutureWatcher<Outcome>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &BackgroundTask::onFinished);
}

BackgroundTask::~BackgroundTask() {
    m_stop.request_stop();
    waitForIdle();
}

int BackgroundTask::start(std::function<void(std::stop_token)> work) {
    m_stop.request_stop(); // the old job ends at its next batch; its outcome is dropped
    m_stop = std::stop_source();
    const int generation = ++m_generation;
    // Joined jobs need no keeping: drop them so the list stays short.
    m_jobs.removeIf([](const QFuture<Outcome>& f) { return f.isFinished(); });
    QFuture<Outcome> job =
        runInBackground([work = std::move(work), token = m_stop.get_token(), generation] {
            Outcome outcome{generation, false, {}};
            try {
                work(token);
                outcome.stopped = token.stop_requested();
            } catch (const std::bad_alloc&) {
                // A refusal like bad input: one line in the dialog, not a crash or "bad_alloc".
                outcome.error = QStringLiteral(
                    "out of memory while computing: the input is too large for this machine");
            } catch (const std::exception& e) {
                outcome.error = QString::fromStdString(lora::errorText(e));
            } catch (...) {
                outcome.error = QStringLiteral("unknown error");
            }
            return outcome;
        });
    m_jobs.append(job);
    m_watcher->setFuture(job); // replaces the old job's watch: only the newest reports
    if (!m_running) {
        m_running = true;
        emit runningChanged(true);
    }
    return generation;
}

void BackgroundTask::stop() {
    m_stop.request_stop();
}

void BackgroundTask::waitForIdle() {
    for (QFuture<Outcome>& job : m_jobs) job.waitForFinished();
    m_jobs.clear();
}

void BackgroundTask::onFinished() {
    const Outcome outcome = m_watcher->result();
    if (outcome.generation != m_generation) return;
    m_running = false;
    emit runningChanged(false);
    if (!outcome.error.isEmpty())
        emit failed(outcome.error);
    else
        emit finished(outcome.stopped);
}
