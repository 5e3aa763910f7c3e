#include "tabs/variants/scale_sweep_chart.h"

#include <QLineSeries>
#include <QLogValueAxis>

#include <algorithm>
#include <cmath>

namespace {

const QColor kPalette[] = {{0x1f, 0x77, 0xb4}, {0xff, 0x7f, 0x0e}, {0x2c, 0xa0, 0x2c},
                           {0xd6, 0x27, 0x28}, {0x94, 0x67, 0xbd}, {0x8c, 0x56, 0x4b}};

// Within ±25 % reads as "holds": runs of a few hundred steps vary that much by seed alone.
QString trend(double from, double to) {
    const double ratio = from > 0 ? to / from : 0.0;
    const QString verb = ratio < 0.8    ? ScaleSweepChart::tr("shrinks")
                         : ratio > 1.25 ? ScaleSweepChart::tr("grows")
                                        : ScaleSweepChart::tr("holds");
    return ScaleSweepChart::tr("%1 (%2 → %3, ×%4)")
        .arg(verb, QString::number(from, 'g', 3), QString::number(to, 'g', 3),
             QString::number(ratio, 'f', 2));
}

} // namespace

QString ScaleSweepChart::summary(const std::vector<lora::ScalePoint>& points) {
    if (points.size() < 2) return {};
    const lora::ScalePoint &first = points.front(), &last = points.back();
    QString text = tr("From r %1 to r %2, ‖ΔW‖ under α/r %3; under α/√r %4.")
                       .arg(first.rank)
                       .arg(last.rank)
                       .arg(trend(first.norm, last.norm), trend(first.normRs, last.normRs));
    if (last.norm > 0)
        text += tr(" At r %1 α/√r's update is %2× α/r's.")
                    .arg(last.rank)
                    .arg(QString::number(last.normRs / last.norm, 'f', 2));
    return text;
}

ScaleSweepChart::ScaleSweepChart(QWidget* parent) : ChartView(new QChart, parent) {
    chart()->setTitle(tr("Why rsLoRA: update ‖ΔW‖ and scale vs rank, fixed α"));
    chart()->legend()->setAlignment(Qt::AlignRight);
    m_rankAxis = new QLogValueAxis;
    m_rankAxis->setBase(2);
    m_rankAxis->setLabelFormat(QStringLiteral("%g"));
    m_rankAxis->setTitleText(tr("rank r"));
    m_rankAxis->setRange(0.7, 90);
    m_valueAxis = new QLogValueAxis;
    m_valueAxis->setLabelFormat(QStringLiteral("%g"));
    m_valueAxis->setTitleText(tr("log scale"));
    m_valueAxis->setRange(0.01, 10);
    chart()->addAxis(m_rankAxis, Qt::AlignBottom);
    chart()->addAxis(m_valueAxis, Qt::AlignLeft);
    const QString names[] = {tr("‖ΔW‖, α/r"), tr("‖ΔW‖, α/√r"), tr("scale α/r (dashed)"),
                             tr("scale α/√r (dashed)")};
    for (int k = 0; k < 4; ++k) {
        auto* s = new QLineSeries;
        s->setName(names[k]);
        s->setPen(QPen(kPalette[k % 2], k < 2 ? 2.0 : 1.5, k < 2 ? Qt::SolidLine : Qt::DashLine));
        s->setPointsVisible(k < 2);
        chart()->addSeries(s);
        s->attachAxis(m_rankAxis);
        s->attachAxis(m_valueAxis);
        m_series[k] = s;
    }
}

void ScaleSweepChart::setPoints(const std::vector<lora::ScalePoint>& points) {
    QList<QPointF> lists[4];
    double lo = 1e9, hi = 0;
    for (const lora::ScalePoint& p : points) {
        const double values[] = {p.norm, p.normRs, p.scale, p.scaleRs};
        for (int k = 0; k < 4; ++k) {
            if (values[k] <= 0) continue; // a log axis has no place for 0
            lists[k].append({double(p.rank), values[k]});
            lo = std::min(lo, values[k]), hi = std::max(hi, values[k]);
        }
    }
    for (int k = 0; k < 4; ++k) m_series[k]->replace(lists[k]);
    if (hi >= lo)
        m_valueAxis->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                              std::pow(10.0, std::ceil(std::log10(hi * 1.01))));
}
