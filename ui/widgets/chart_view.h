#pragma once
// A QChartView every panel uses, so any chart can be exported the same way: its context
// menu offers "Save as PNG…", "Save as SVG…" and "Save data as CSV…".
#include <QChartView>
#include <QString>

class ChartView : public QChartView {
    Q_OBJECT
public:
    explicit ChartView(QChart* chart, QWidget* parent = nullptr);

    // Atomic writes; return false and set *error to a one-line reason on failure.
    bool savePng(const QString& path, QString* error = nullptr);
    bool saveSvg(const QString& path, QString* error = nullptr);
    // One CSV per chart: a column pair "<series> x,<series> y" per XY series and, per bar
    // series, "category,<set>,<set>…" (one row per category); shorter columns padded.
    bool saveCsv(const QString& path, QString* error = nullptr) const;
    QString csv() const;

protected:
    void contextMenuEvent(QContextMenuEvent* event) override;
};
