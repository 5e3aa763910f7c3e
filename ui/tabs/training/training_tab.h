#pragma once
// Panel 2, "Training": live train loss per step (smoothed) and validation loss and accuracy
// per epoch, for base, LoRA and full fine-tune runs. Earlier runs stay as faded series
// labelled with their kind and rank/α so runs can be compared; two runs of the same label
// are told apart by a number, so the legend and the CSV never repeat a name. "Clear runs"
// asks for the recorded runs of this experiment to be forgotten (clearRunsRequested).
#include "session/run_types.h"

#include <QWidget>
#include <memory>
#include <vector>

class ChartView;
class QChart;
class QLabel;
class QLineSeries;
class QPushButton;
class QValueAxis;

class TrainingTab : public QWidget {
    Q_OBJECT
public:
    // Earlier runs kept on the charts, the current one included: beyond a few dozen faded
    // curves nothing can be compared, and every series more slows each chart update (the
    // legend relays out all its markers), so a replay of many runs would grow quadratically.
    static constexpr int kMaxDrawnRuns = 30;

    explicit TrainingTab(QWidget* parent = nullptr);
    ~TrainingTab() override;

    int runCount() const; // runs drawn, including the current one (≤ kMaxDrawnRuns)
    int stepPointCount(int runId) const; // points in that run's loss series
    ChartView* lossChart() const;
    ChartView* epochChart() const;
    QPushButton* clearButton() const { return m_clear; }

public slots:
    void runStarted(int runId, RunKind kind, const QString& label);
    void stepsReported(const StepBatch& batch);
    void epochFinished(const EpochUpdate& update);
    void runFinished(const RunOutcome& outcome);
    void clear();
    // Paused, the status says where the run stands instead of an ETA that is not running.
    void setPaused(bool paused);

signals:
    void clearRunsRequested();

private:
    struct Run;
    Run* find(int runId);
    const Run* find(int runId) const;
    void removeRun(int runId);
    void styleRun(Run& run, bool current);
    void updateAxes();
    static void attach(QChart* chart, QLineSeries* series, QValueAxis* x, QValueAxis* y);

    ChartView* m_lossChart = nullptr;
    ChartView* m_epochChart = nullptr;
    QValueAxis* m_stepAxis = nullptr;
    QValueAxis* m_lossAxis = nullptr;
    QValueAxis* m_epochAxis = nullptr;
    QValueAxis* m_validLossAxis = nullptr;
    QValueAxis* m_accuracyAxis = nullptr;
    QLabel* m_status = nullptr;
    bool m_paused = false;
    StepBatch m_lastBatch; // of the run the status describes
    QString m_lastLabel;
    void showPaused();
    QPushButton* m_clear = nullptr;
    std::vector<std::unique_ptr<Run>> m_runs; // in start order; the last is current
    int m_colorIndex = 0;
};
