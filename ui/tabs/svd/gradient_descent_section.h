#pragma once
// Seed 002 in the Rank & SVD panel: trains B A ≈ W by gradient descent (Adam, lr 0.01, 1000
// steps) on a worker thread, streams its loss into a chart (≤ 30 updates per second) and
// compares it with the truncated SVD's optimum ‖W − W_r‖²/(mn). Its button asks the owner
// for a run, since the owner knows which matrix is shown; while a run goes on the same button
// stops it (a 2000×1000 layer at rank 64 takes minutes).
#include <QList>
#include <QPointF>
#include <QWidget>
#include <functional>
#include <memory>
#include <stop_token>

#include "nn/tensor.h"

class QLabel;
class QLineSeries;
class QPushButton;
class QValueAxis;
class ChartView;
template <typename T> class QFutureWatcher;

class GradientDescentSection : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSteps = 1000;
    using MatrixSource = std::function<lora::Matrix()>; // called once, on a worker thread

    explicit GradientDescentSection(QWidget* parent = nullptr);
    ~GradientDescentSection() override; // stops a run in progress (within one step)

    // Replaces any run in progress: rank ≥ 1, name titles the chart. optimum: the SVD's
    // ‖W − W_r‖²/(mn) when the owner knows it (drawn at once), else NaN (drawn at the end).
    void run(MatrixSource matrix, int rank, const QString& name, double optimum);
    // Stops a run in progress and empties the chart: the matrix shown is now `name`.
    void clear(const QString& name);
    bool isRunning() const { return m_running; }

signals:
    void runRequested(); // the button was clicked
    void finished(double gdLoss, double svdLoss);

private:
    struct Job; // a finished (or failed) run
    using JobPtr = std::shared_ptr<Job>;

    void stop(); // ends the run in progress within one step and waits for it
    void appendPoints(int generation, const QList<QPointF>& points);
    void setRunning(bool running);
    void onFinished();

    QPushButton* m_button = nullptr;
    QLabel* m_status = nullptr;
    ChartView* m_chart = nullptr;
    QLineSeries *m_series = nullptr, *m_optimumSeries = nullptr;
    QValueAxis *m_x = nullptr, *m_y = nullptr;
    QFutureWatcher<JobPtr>* m_watcher = nullptr;
    std::stop_source m_stop;
    int m_generation = 0;
    bool m_running = false;
    QList<QPointF> m_points;
};
