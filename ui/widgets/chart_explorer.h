#pragma once
// What makes a chart explorable, for every ChartView: hovering shows the nearest data point's
// values, clicking a legend entry hides or shows its series (the entry stays, faded), a left
// drag zooms into a rectangle and the wheel zooms about the cursor (double-click or the
// context menu resets), and a log y axis can be switched on where every value is positive.
// It watches the view's viewport, so series a panel adds later are covered too.
#include <QObject>
#include <QPointF>
#include <QSet>

class QChart;
class QChartView;
class QLegendMarker;
class QLogValueAxis;
class QValueAxis;
class QXYSeries;

class ChartExplorer : public QObject {
    Q_OBJECT
public:
    explicit ChartExplorer(QChartView* view);

    struct Nearest {
        QXYSeries* series = nullptr; // null when no visible point is within reach
        QPointF value;
    };
    // The visible data point closest to `viewPos` (viewport pixels), within `reach` pixels.
    Nearest nearestPoint(QPointF viewPos, qreal reach = 12.0) const;
    QString hoverText(const Nearest& nearest) const; // "series: x = …, y = …"

    // A log y axis fits when the chart has one vertical value axis over XY series whose
    // values are all positive (a zero would have no place on it).
    bool canUseLogY() const;
    bool isLogY() const { return m_log != nullptr; }
    void setLogY(bool on);
    bool isZoomed() const;
    void resetZoom();
    void toggleSeries(QLegendMarker* marker); // what a legend click does

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QChart* chart() const;
    void connectLegend(); // markers appear with series: connected as they are first seen
    void refitLog();      // the log axis follows new data; a value ≤ 0 switches it off

    QChartView* m_view;
    QObject* m_viewport; // compared only: the view may be mid-destruction when events come
    QSet<QLegendMarker*> m_connected;
    QValueAxis* m_linear = nullptr; // hidden while the log axis stands in for it
    QLogValueAxis* m_log = nullptr;
};
