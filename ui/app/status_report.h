#pragma once
// The status bar's text and progress bar, told by the session's run signals and the window's
// messages. It keeps them truthful: an error stays only until something works again (a run
// starts or ends, a model, adapter or data set changes, or a message reports success), a
// paused run shows no ETA, and a run's end empties the bar rather than leaving it where a
// Stop caught it. The bar never hides, so the window never lays out anew around a run.
#include "session/run_types.h"

#include <QObject>
#include <QString>

class ExperimentSession;
class QLabel;
class QProgressBar;

class StatusReport : public QObject {
    Q_OBJECT
public:
    StatusReport(ExperimentSession* session, QLabel* text, QProgressBar* bar,
                 QObject* parent = nullptr);

    bool showsError() const { return m_showsError; }

public slots:
    void showMessage(const QString& text); // a success or information
    void showError(const QString& text);   // already one bounded line

private:
    void runStarted(const QString& label);
    void stepsReported(const StepBatch& batch);
    void pausedChanged(bool paused);
    void runFinished(const RunOutcome& outcome);
    void sweepFinished(bool stopped);
    void somethingWorked(); // an error on show gives way to "ready"
    void setText(const QString& text, bool error = false);

    ExperimentSession* m_session;
    QLabel* m_text;
    QProgressBar* m_bar;
    QString m_runLabel;
    StepBatch m_lastBatch;
    bool m_showsError = false;
};
