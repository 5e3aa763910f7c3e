#include "app/status_report.h"

#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "session/training_worker.h"
#include "widgets/duration_text.h"

#include <QLabel>
#include <QProgressBar>
#include <cmath>

StatusReport::StatusReport(ExperimentSession* session, QLabel* text, QProgressBar* bar,
                           QObject* parent)
    : QObject(parent), m_session(session), m_text(text), m_bar(bar) {
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
    connect(session, &ExperimentSession::runStarted, this,
            [this](int, RunKind, const QString& label) { runStarted(label); });
    connect(session, &ExperimentSession::stepsReported, this, &StatusReport::stepsReported);
    connect(session, &ExperimentSession::pausedChanged, this, &StatusReport::pausedChanged);
    connect(session, &ExperimentSession::runFinished, this, &StatusReport::runFinished);
    connect(session, &ExperimentSession::sweepFinished, this,
            [this](int, bool stopped) { sweepFinished(stopped); });
    for (auto signal : {&ExperimentSession::modelsChanged, &ExperimentSession::dataChanged})
        connect(session, signal, this, &StatusReport::somethingWorked);
    connect(session->adapters(), &AdapterManager::adaptersChanged, this,
            &StatusReport::somethingWorked);
}

void StatusReport::showMessage(const QString& text) {
    setText(text);
}

void StatusReport::showError(const QString& text) {
    setText(text, true);
}

void StatusReport::setText(const QString& text, bool error) {
    m_showsError = error;
    m_text->setText(text);
}

void StatusReport::somethingWorked() {
    if (m_showsError) setText(tr("ready"));
}

void StatusReport::runStarted(const QString& label) {
    m_runLabel = label;
    m_lastBatch = StepBatch();
    setText(tr("%1: starting…").arg(label));
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
}

void StatusReport::stepsReported(const StepBatch& b) {
    m_lastBatch = b;
    m_bar->setMaximum(static_cast<int>(qMax<long>(1, b.stepsTotal)));
    m_bar->setValue(static_cast<int>(qMin(b.stepsDone, b.stepsTotal)));
    if (m_session->isPaused()) return pausedChanged(true); // a batch that ended at the pause
    const int eta = static_cast<int>(b.etaSeconds + 0.5);
    const double pace = m_session->worker()->pace();
    setText(tr("%1 · epoch %2 · step %3/%4 · %L5 samples/s · ETA %6:%7")
                .arg(m_runLabel)
                .arg(b.epoch)
                .arg(b.stepsDone)
                .arg(b.stepsTotal)
                .arg(qRound64(b.samplesPerSecond))
                .arg(eta / 60)
                .arg(eta % 60, 2, 10, QLatin1Char('0')) +
            (pace > 0 ? tr(" · paced at %1 steps/s").arg(pace) : QString()));
}

// Paused, an ETA would count down time that is not passing.
void StatusReport::pausedChanged(bool paused) {
    if (!m_session->isRunning()) return;
    if (!paused) {
        setText(tr("%1: resumed…").arg(m_runLabel));
        return;
    }
    setText(m_lastBatch.stepsTotal > 0 ? tr("%1 paused at step %2/%3 · Space resumes")
                                             .arg(m_runLabel)
                                             .arg(m_lastBatch.stepsDone)
                                             .arg(m_lastBatch.stepsTotal)
                                       : tr("%1 paused · Space resumes").arg(m_runLabel));
}

void StatusReport::runFinished(const RunOutcome& o) {
    // A run stopped mid-epoch is not evaluated (that would delay the stop).
    const QString accuracy = std::isnan(o.testAccuracy)
                                 ? tr("not evaluated")
                                 : tr("%1 % test accuracy").arg(o.testAccuracy, 0, 'f', 2);
    const QString outcome = o.result.diverged  ? tr("diverged")
                            : o.result.stopped ? tr("stopped")
                                               : tr("finished");
    setText(tr("%1 %2: %3 in %4").arg(o.label, outcome, accuracy, durationText(o.result.seconds)));
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
}

void StatusReport::sweepFinished(bool stopped) {
    setText(stopped ? tr("sweep stopped") : tr("sweep finished"));
    m_bar->setRange(0, 1);
    m_bar->setValue(0);
}
