#pragma once
// "Why rsLoRA": against rank (log₂ axis), the update ‖ΔW‖ a run reached under α/r and under
// α/√r (solid, with points) and the two scales themselves (dashed), on one log axis.
#include "train/scaling_sweep.h"
#include "widgets/chart_view.h"

#include <vector>

class QLineSeries;
class QLogValueAxis;

class ScaleSweepChart : public ChartView {
    Q_OBJECT
public:
    explicit ScaleSweepChart(QWidget* parent = nullptr);

    void setPoints(const std::vector<lora::ScalePoint>& points); // in rank order

    // What the points show, in words: how ‖ΔW‖ changed from the first rank to the last under
    // each rule (shrinks / holds / grows) and how the two rules compare at the last rank.
    // Measured, never assumed: with Adam, α/r's update can hold still rather than shrink.
    static QString summary(const std::vector<lora::ScalePoint>& points);

private:
    QLogValueAxis* m_rankAxis = nullptr;
    QLogValueAxis* m_valueAxis = nullptr;
    QLineSeries* m_series[4] = {}; // ‖ΔW‖ α/r, ‖ΔW‖ α/√r, scale α/r, scale α/√r
};
