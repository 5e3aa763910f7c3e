#pragma once
// Panel 5, "Sweep": LoRA trained for a list of ranks (at the current α) and of alphas (at the
// current rank) in the background; accuracy against rank, against trainable parameters and
// against α, with a table — seed 000's rank and alpha analyses. A progress bar counts the
// runs done of those asked for, and an ETA extrapolates the mean time per run.
#include "session/run_types.h"

#include <QElapsedTimer>
#include <QWidget>
#include <vector>

class QLabel;
class QLineEdit;
class QLineSeries;
class QLogValueAxis;
class QProgressBar;
class QPushButton;
class QTableWidget;
class QTimer;
class QValueAxis;
class ChartView;

class SweepTab : public QWidget {
    Q_OBJECT
public:
    explicit SweepTab(QWidget* parent = nullptr);

    // Parsed from the line edits ("1,2,4,8,16", "0.5,1,2,4"); InputError text on bad input.
    std::vector<int> ranks() const;
    std::vector<float> alphas() const;
    void setLists(const QString& ranks, const QString& alphas);
    int pointCount() const;
    int expectedCount() const { return m_expected; } // runs asked for; 0 = unknown
    // Seconds the remaining runs should take at the mean time per run so far, as estimated
    // when the last run finished; NaN before the first run or when the count asked for is
    // unknown. The ETA label counts down from it each second until the next run lands.
    double etaSeconds() const;

public slots:
    void addPoint(const SweepPoint& point);
    void sweepFinished(int runId, bool stopped);
    void clear();
    void setRunning(bool running); // disables Run while any training runs

signals:
    // Emitted by the Run button after the lists parsed; the session starts the sweep.
    void sweepRequested(const std::vector<int>& ranks, const std::vector<float>& alphas);
    void invalidInput(const QString& message); // shown as a dialog by the main window

private:
    void requestSweep();
    void updateCharts();
    void updateStatus();
    void updateProgress();

    QLineEdit* m_ranksEdit = nullptr;
    QLineEdit* m_alphasEdit = nullptr;
    QPushButton* m_runButton = nullptr;
    QLabel* m_statusLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_etaLabel = nullptr;
    QTimer* m_etaTimer = nullptr; // ticks the countdown while a sweep runs
    QElapsedTimer m_sincePoint;   // since the last run landed
    ChartView* m_rankChart = nullptr;
    ChartView* m_paramsChart = nullptr;
    ChartView* m_alphaChart = nullptr;
    QLineSeries* m_rankSeries = nullptr;
    QLineSeries* m_paramsSeries = nullptr;
    QLineSeries* m_alphaSeries = nullptr;
    QLogValueAxis* m_rankAxis = nullptr;
    QLogValueAxis* m_paramsAxis = nullptr;
    QLogValueAxis* m_alphaAxis = nullptr;
    QValueAxis* m_accuracyAxes[3] = {};
    QTableWidget* m_table = nullptr;

    std::vector<SweepPoint> m_points; // in arrival order, all from one sweep
    int m_expected = 0;               // runs the last request asked for; 0 = unknown
    enum class State { Idle, Running, Finished, Stopped } m_state = State::Idle;
};
