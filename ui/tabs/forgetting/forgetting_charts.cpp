#include "tabs/forgetting/forgetting_charts.h"

#include "widgets/chart_view.h"

#include <QHBoxLayout>
#include <QLineSeries>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {

const QColor kFull(0xd6, 0x27, 0x28), kLora(0x1f, 0x77, 0xb4), kLoraOff(0x2c, 0xa0, 0x2c),
    kBase(0xa0, 0xa0, 0xa0);

QLineSeries* makeSeries(const QString& name, const QColor& color,
                        Qt::PenStyle style = Qt::SolidLine, bool points = true) {
    auto* series = new QLineSeries;
    series->setName(name);
    // The dashed base line is wide, so LoRA-off drawn exactly on it still lets it show.
    series->setPen(QPen(color, style == Qt::SolidLine ? 2.0 : 4.0, style));
    series->setPointsVisible(points);
    return series;
}

ChartView* makeChart(const QString& title, const std::vector<QLineSeries*>& series, QValueAxis*& x,
                     QValueAxis*& y, QWidget* parent) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->setAlignment(Qt::AlignBottom);
    x = new QValueAxis;
    x->setTitleText(QObject::tr("epoch"));
    x->setLabelFormat(QStringLiteral("%d"));
    y = new QValueAxis;
    y->setTitleText(QObject::tr("accuracy %"));
    y->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QLineSeries* s : series) {
        chart->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
    }
    return new ChartView(chart, parent);
}

} // namespace

ForgettingCharts::ForgettingCharts(QWidget* parent) : QWidget(parent) {
    m_series[FullNew] = makeSeries(tr("full fine-tune"), kFull);
    m_series[LoraNew] = makeSeries(tr("LoRA"), kLora);
    m_series[BaseNew] = makeSeries(tr("base"), kBase, Qt::DashLine, false);
    m_series[FullOld] = makeSeries(tr("full fine-tune"), kFull);
    m_series[LoraOnOld] = makeSeries(tr("LoRA on"), kLora);
    m_series[LoraOffOld] = makeSeries(tr("LoRA off"), kLoraOff);
    m_series[BaseOld] = makeSeries(tr("base"), kBase, Qt::DashLine, false);
    m_newChart =
        makeChart(tr("New task"), {m_series[BaseNew], m_series[FullNew], m_series[LoraNew]},
                  m_epochAxes[0], m_accuracyAxes[0], this);
    m_oldChart =
        makeChart(tr("Old task (forgetting)"),
                  {m_series[BaseOld], m_series[FullOld], m_series[LoraOnOld], m_series[LoraOffOld]},
                  m_epochAxes[1], m_accuracyAxes[1], this);
    m_newChart->setObjectName(QStringLiteral("newTaskChart"));
    m_oldChart->setObjectName(QStringLiteral("oldTaskChart"));

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_newChart);
    layout->addWidget(m_oldChart);
    setTasks({3, 4}, {7, 8});
    setPoints({}, {}, 1);
}

void ForgettingCharts::setTasks(const std::vector<int>& oldClasses,
                                const std::vector<int>& newClasses) {
    const auto names = [](const std::vector<int>& classes) {
        QStringList digits;
        for (int c : classes) digits << QString::number(c);
        return digits.join(QStringLiteral("-vs-"));
    };
    m_newChart->chart()->setTitle(tr("New task %1").arg(names(newClasses)));
    m_oldChart->chart()->setTitle(tr("Old task %1: forgetting").arg(names(oldClasses)));
}

void ForgettingCharts::setPoints(const std::vector<lora::ForgettingPoint>& full,
                                 const std::vector<lora::ForgettingPoint>& lora, int epochs) {
    const auto pointsOf = [](const std::vector<lora::ForgettingPoint>& points, auto field) {
        QList<QPointF> out;
        for (const lora::ForgettingPoint& p : points) out.append({double(p.epoch), p.*field});
        return out;
    };
    using P = lora::ForgettingPoint;
    m_series[FullNew]->replace(pointsOf(full, &P::fullNew));
    m_series[FullOld]->replace(pointsOf(full, &P::fullOld));
    m_series[LoraNew]->replace(pointsOf(lora, &P::loraNew));
    m_series[LoraOnOld]->replace(pointsOf(lora, &P::loraOnOld));
    m_series[LoraOffOld]->replace(pointsOf(lora, &P::loraOffOld));
    epochs = std::max(1, epochs);
    const bool haveBase = !full.empty();
    const float baseNew = haveBase ? full.front().fullNew : 0;
    const float baseOld = haveBase ? full.front().fullOld : 0;
    m_series[BaseNew]->replace(haveBase ? QList<QPointF>{{0, baseNew}, {double(epochs), baseNew}}
                                        : QList<QPointF>{});
    m_series[BaseOld]->replace(haveBase ? QList<QPointF>{{0, baseOld}, {double(epochs), baseOld}}
                                        : QList<QPointF>{});
    // One accuracy scale on both charts, so a fall on the old task reads against the new.
    double lo = 100;
    for (QLineSeries* s : m_series)
        for (const QPointF& p : s->points()) lo = std::min(lo, p.y());
    lo = std::clamp(std::floor((lo - 2.0) / 10.0) * 10.0, 0.0, 90.0);
    for (int c = 0; c < 2; ++c) {
        m_epochAxes[c]->setRange(0, epochs);
        m_epochAxes[c]->setTickCount(std::min(epochs, 10) + 1);
        m_accuracyAxes[c]->setRange(lo, 100);
    }
}
