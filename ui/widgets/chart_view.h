#pragma once
// A QChartView every panel uses, so any chart can be exported the same way: its context
// menu offers "Save as PNG…", "Save as SVG…" and "Save data as CSV…". Exports are drawn at a
// fixed size (kExportSize), whatever the chart's size on screen. On a small screen the chart
// keeps its labels whole: tight margins, and value axes never given more ticks than their
// length holds (Qt otherwise elides every tick label to "…"). Every chart is explorable
// (ChartExplorer): hover values, legend toggles, zoom with reset, log y where it fits.
#include <QChartView>
#include <QHash>
#include <QString>

class ChartExplorer;
class QValueAxis;

class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(QChart* chart, QWidget* parent = nullptr);
    ~ChartView() override; // before QChartView deletes the chart and its axes

    static constexpr QSize kExportSize{1200, 750};

    // Hover values, legend toggles, zoom and the log y switch (see chart_explorer.h).
    ChartExplorer* explorer() const { return m_explorer; }

    // Atomic writes; return false and set *error to a one-line reason on failure.
    bool savePng(const QString& path, QString* error = nullptr);
    bool saveSvg(const QString& path, QString* error = nullptr);
    // One CSV per chart: a column pair "<series> x,<series> y" per XY series and, per bar
    // series, "category,<set>,<set>…" (one row per category); shorter columns padded.
    bool saveCsv(const QString& path, QString* error = nullptr) const;
    QString csv() const;

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    // Lowers the tick count of value axes whose labels would overlap at the plot's size.
    void fitTicks();
    // Paints the chart onto `device` laid out for `size`, then restores its screen layout.
    void renderTo(QPaintDevice& device, QSize size);
    bool m_fitting = false;
    struct Wanted {
        int count = 5;
        double interval = 0;
    };
    void watch(QValueAxis* axis);
    QHash<QValueAxis*, Wanted> m_wanted; // tick count / interval as the panel set them
    ChartExplorer* m_explorer = nullptr;
};
