#include "tabs/parameters/memory_chart.h"

#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QCursor>
#include <QHorizontalStackedBarSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

MemoryChart::MemoryChart(QWidget* parent) : QWidget(parent) {
    const QString names[3] = {tr("weights"), tr("gradients"), tr("Adam state")};
    const QColor colors[3] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e),
                              QColor(0x9a, 0x9a, 0x9a)};
    auto* series = new QHorizontalStackedBarSeries;
    for (int p = 0; p < 3; ++p) {
        m_parts[p] = new QBarSet(names[p]);
        m_parts[p]->setColor(colors[p]);
        series->append(m_parts[p]);
    }
    auto* chart = new QChart;
    chart->addSeries(series);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_rowAxis = new QBarCategoryAxis;
    // Seven rows share the height: at the default size a label taller than its row's share
    // would be elided to "…".
    QFont small = m_rowAxis->labelsFont();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_rowAxis->setLabelsFont(small);
    m_bytesAxis = new QValueAxis;
    m_bytesAxis->setLabelFormat(QStringLiteral("%g"));
    chart->addAxis(m_rowAxis, Qt::AlignLeft);
    chart->addAxis(m_bytesAxis, Qt::AlignBottom);
    series->attachAxis(m_rowAxis);
    series->attachAxis(m_bytesAxis);
    m_view = new ChartView(chart, this);
    m_view->setObjectName(QStringLiteral("memoryChartView"));
    m_view->setMinimumHeight(280);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
    connect(series, &QHorizontalStackedBarSeries::hovered, this,
            [this](bool status, int index, QBarSet* set) {
                if (!status) return QToolTip::hideText();
                const int row = rowCount() - 1 - index; // the axis lists bottom-up
                if (row < 0 || row >= rowCount()) return;
                QToolTip::showText(QCursor::pos(), QStringLiteral("%1 · %2: %3 %4")
                                                       .arg(category(row), set->label())
                                                       .arg(set->at(index), 0, 'f', 1)
                                                       .arg(m_unit));
            });
}

void MemoryChart::setRows(const std::vector<lora::MemoryRow>& rows) {
    double top = 0;
    for (const lora::MemoryRow& r : rows) top = std::max(top, r.totalBytes);
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    m_unitBytes = 1.0;
    while (top / m_unitBytes >= 1024.0 && unit < 4) {
        m_unitBytes *= 1024.0;
        ++unit;
    }
    m_unit = QLatin1String(units[unit]);
    m_categories.clear();
    for (QBarSet* set : m_parts) set->remove(0, set->count());
    QStringList labels;
    // Horizontal bars run bottom-up: appended in reverse, the first row is on top.
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
        const double parts[3] = {it->weightBytes, it->gradientBytes, it->optimizerBytes};
        for (int p = 0; p < 3; ++p) m_parts[p]->append(parts[p] / m_unitBytes);
        labels << QStringLiteral("%1 %2").arg(QString::fromStdString(it->method),
                                              QString::fromStdString(it->precision));
    }
    for (const lora::MemoryRow& r : rows)
        m_categories.push_back(QStringLiteral("%1 %2").arg(QString::fromStdString(r.method),
                                                           QString::fromStdString(r.precision)));
    m_rowAxis->clear();
    m_rowAxis->append(labels);
    m_bytesAxis->setRange(0, std::max(1.0, top / m_unitBytes * 1.05));
    m_bytesAxis->applyNiceNumbers();
    m_bytesAxis->setTitleText(tr("training memory (%1)").arg(m_unit));
}

double MemoryChart::bytes(int row, int part) const {
    const int index = rowCount() - 1 - row;
    return m_parts[part]->at(index) * m_unitBytes;
}
