#pragma once
// "Active adapter — live": α and r′ sliders that act on the adapter the panels show, at once.
// α rescales its update; r′ keeps the best rank-r′ part of each layer's s·BA (truncated SVD).
// The box scores the view on the adapter's test split and plots accuracy against r′. The
// adapter itself stays as trained: export, Merge's report and sessions use the trained one,
// and the note under the sliders says so.
#include "session/run_types.h"

#include <QFutureWatcher>
#include <QGroupBox>
#include <QTimer>
#include <memory>
#include <vector>

class AdapterManager;
class QLabel;
class QPushButton;
class QSlider;
class RankAccuracyChart;

class LiveAdapterBox : public QGroupBox {
    Q_OBJECT
public:
    explicit LiveAdapterBox(AdapterManager* adapters, QWidget* parent = nullptr);

    // The accuracy of the view now shown (percent); NaN while none is measured.
    double accuracy() const { return m_accuracy; }
    bool isEvaluating() const { return m_pending; }
    int alphaToSlider(float alpha) const;
    int rankToSlider(int rank) const;

signals:
    void evaluated(double accuracy);

private:
    void showView();     // the manager's view into the sliders and labels
    void sliderMoved();  // either slider: the manager gets the new view
    void evaluate();     // asks for the shown view's accuracy (after kScoreDelayMs)
    void startScoring(); // off the GUI thread; one job at a time, the latest view wins
    void onEvaluated();

    AdapterManager* m_adapters;
    QSlider *m_alpha, *m_rank;
    QLabel *m_name, *m_alphaValue, *m_rankValue, *m_note, *m_accuracyLabel;
    QPushButton* m_resetButton;
    RankAccuracyChart* m_chart;
    std::vector<float> m_alphaSteps;
    std::vector<int> m_rankSteps;
    static constexpr int kScoreDelayMs = 25;
    QFutureWatcher<double> m_watcher;
    QTimer m_delay;
    bool m_pending = false;   // scoring started and its result not yet taken in
    bool m_stale = false;     // the view changed while an evaluation was running
    int m_evaluatingRank = 0; // r′ and α of the running evaluation
    float m_evaluatingAlpha = 0;
    ModelPtr m_requested; // the snapshot last sent to be scored
    double m_accuracy;
    float m_chartAlpha = 0; // the α the chart's points belong to
};
