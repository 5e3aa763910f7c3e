#pragma once
// Accuracy against the truncation rank r′ of the active adapter, one point per r′ the live
// slider has visited at the current α: "how much rank did this adapter need?".
#include "widgets/chart_view.h"

#include <map>

class QLineSeries;
class QScatterSeries;
class QLogValueAxis;
class QValueAxis;

class RankAccuracyChart : public ChartView {
    Q_OBJECT
public:
    explicit RankAccuracyChart(QWidget* parent = nullptr);

    void clear(int maxRank);                  // a new adapter or α: no points, x from 1 to maxRank
    void addPoint(int rank, double accuracy); // a later value for the same r′ replaces it
    void markRank(int rank);                  // the slider's r′, drawn as the highlighted point
    const std::map<int, double>& points() const { return m_points; }

private:
    void redraw();

    std::map<int, double> m_points;
    int m_current = 0;
    QLineSeries* m_line;
    QScatterSeries* m_marker;
    QLogValueAxis* m_x;
    QValueAxis* m_y;
};
