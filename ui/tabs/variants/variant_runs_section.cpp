#include "tabs/variants/variant_runs_section.h"

#include "widgets/chart_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QTableWidget>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {

const QColor kPalette[] = {{0x1f, 0x77, 0xb4}, {0xff, 0x7f, 0x0e}, {0x2c, 0xa0, 0x2c},
                           {0xd6, 0x27, 0x28}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b}};

// A log axis has no place for 0, and a confident batch's float loss can round to exactly 0.
constexpr double kLossFloor = 1e-6;

// Step losses are too noisy to compare by eye and too many to draw: bucket means, ≤ 250.
QList<QPointF> smoothed(const std::vector<float>& losses) {
    const std::size_t n = losses.size();
    const std::size_t bucket = std::max<std::size_t>(1, (n + 249) / 250);
    QList<QPointF> points;
    for (std::size_t start = 0; start < n; start += bucket) {
        const std::size_t end = std::min(n, start + bucket);
        double sum = 0;
        for (std::size_t k = start; k < end; ++k) sum += losses[k];
        points.append(
            {0.5 * double(start + end + 1), std::max(kLossFloor, sum / double(end - start))});
    }
    return points;
}

} // namespace

VariantRunsSection::VariantRunsSection(QWidget* parent) : QWidget(parent) {
    auto* loss = new QChart;
    loss->setTitle(tr("Training loss (same data, seed and order)"));
    loss->legend()->setAlignment(Qt::AlignRight);
    m_stepAxis = new QValueAxis;
    m_stepAxis->setTitleText(tr("step"));
    m_stepAxis->setLabelFormat(QStringLiteral("%d"));
    // Log loss: the first steps' 5.0 would otherwise flatten every later difference to 0.
    m_lossAxis = new QLogValueAxis;
    m_lossAxis->setTitleText(tr("loss (log)"));
    m_lossAxis->setLabelFormat(QStringLiteral("%.2g"));
    m_stepAxis->setTickType(QValueAxis::TicksDynamic);
    m_stepAxis->setTickAnchor(0);
    loss->addAxis(m_stepAxis, Qt::AlignBottom);
    loss->addAxis(m_lossAxis, Qt::AlignLeft);
    m_lossChart = new ChartView(loss, this);
    m_lossChart->setObjectName(QStringLiteral("lossChart"));

    m_table = new QTableWidget(0, 5, this);
    m_table->setObjectName(QStringLiteral("variantsTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("variant"), tr("scale"), tr("accuracy %"), tr("‖ΔW‖"), tr("params")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    // Every column fits its header and cells ("kaiming+rslora r4", "accuracy %"); the table
    // scrolls sideways on a small screen rather than clipping them.
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_lossChart, 3);
    layout->addWidget(m_table, 2);
}

QString VariantRunsSection::label(const QString& variantName) {
    // "pissa+rslora r4": the init before '+' or ' ', the rank after the space, if any.
    const QString head = variantName.section(QLatin1Char(' '), 0, 0);
    const QString rank = variantName.section(QLatin1Char(' '), 1);
    QString init = head.section(QLatin1Char('+'), 0, 0);
    init = init == QLatin1String("pissa") ? QStringLiteral("PiSSA")
                                          : init.left(1).toUpper() + init.mid(1);
    return init + (rank.isEmpty() ? QString() : QLatin1Char(' ') + rank) +
           (head.contains(QLatin1String("rslora")) ? QStringLiteral(" · α/√r")
                                                   : QStringLiteral(" · α/r"));
}

void VariantRunsSection::setRuns(const std::vector<lora::VariantRun>& runs) {
    QChart* chart = m_lossChart->chart();
    // Series are rebuilt only when the variant list changes; otherwise replaced in place.
    while (chart->series().size() > qsizetype(runs.size())) {
        QAbstractSeries* extra = chart->series().back();
        chart->removeSeries(extra);
        delete extra;
    }
    double maxStep = 1, lo = 1e9, hi = 0;
    m_table->setRowCount(int(runs.size()));
    for (std::size_t k = 0; k < runs.size(); ++k) {
        const lora::VariantRun& run = runs[k];
        const QString name = QString::fromStdString(run.variant.name());
        QLineSeries* series = nullptr;
        if (k < std::size_t(chart->series().size())) {
            series = static_cast<QLineSeries*>(chart->series()[qsizetype(k)]);
        } else {
            series = new QLineSeries;
            series->setPen(QPen(kPalette[k % 6], 2.0));
            chart->addSeries(series);
            series->attachAxis(m_stepAxis);
            series->attachAxis(m_lossAxis);
        }
        series->setName(label(name));
        const QList<QPointF> points = smoothed(run.run.stepLosses);
        series->replace(points);
        for (const QPointF& p : points)
            maxStep = std::max(maxStep, p.x()), lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
        const QString cells[] = {name, QString::number(run.variant.spec.scale(), 'g', 4),
                                 QString::number(run.accuracy, 'f', 2),
                                 QString::number(run.deltaNorm, 'f', 3),
                                 QString::number(qulonglong(run.params))};
        for (int c = 0; c < 5; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setTextAlignment((c ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter);
            if (c == 0) item->setForeground(kPalette[k % 6]);
            m_table->setItem(int(k), c, item);
        }
    }
    m_stepAxis->setRange(0, maxStep);
    // A round tick interval (1, 2 or 5 × 10ᵏ) giving about five ticks.
    const double raw = std::max(1.0, maxStep / 5.0);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    const double unit = raw / power;
    m_stepAxis->setTickInterval(power * (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10));
    if (hi < lo) lo = 0, hi = 1;
    lo = std::max(lo, kLossFloor);
    m_lossAxis->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                         std::pow(10.0, std::ceil(std::log10(std::max(hi, lo * 1.01)))));
}
