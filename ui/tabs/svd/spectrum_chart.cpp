#include "tabs/svd/spectrum_chart.h"

#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace {

double niceInterval(double span) { // ~6 ticks at 1, 2 or 5 × 10^k
    const double raw = std::max(1.0, span / 6.0);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (raw <= m * p) return m * p;
    return 10.0 * p;
}

} // namespace

SpectrumChart::SpectrumChart(QWidget* parent) : ChartView(new QChart, parent) {
    QChart* spectrum = chart();
    spectrum->setTitle(tr("Singular values"));
    spectrum->legend()->setAlignment(Qt::AlignBottom);
    m_kept = new QLineSeries;
    m_kept->setName(tr("kept σ₁…σ_r"));
    m_dropped = new QLineSeries;
    m_dropped->setName(tr("dropped"));
    m_dropped->setColor(QColor(150, 150, 150));
    m_cut = new QLineSeries;
    m_cut->setName(tr("cut"));
    m_cut->setPen(QPen(QColor(178, 24, 43), 1.5, Qt::DashLine));
    m_x = new QValueAxis;
    m_x->setTitleText(tr("index i"));
    m_x->setLabelFormat("%d");
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_y = new QLogValueAxis;
    m_y->setTitleText(tr("σᵢ (log)"));
    m_y->setLabelFormat("%g");
    m_y->setMinorTickCount(-1);
    spectrum->addAxis(m_x, Qt::AlignBottom);
    spectrum->addAxis(m_y, Qt::AlignLeft);
    for (QLineSeries* s : {m_kept, m_dropped, m_cut}) {
        spectrum->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
}

// σ on a log axis: zeros (and anything below 1e-7·σ_max) sit on the floor instead of
// sending the axis to −∞; the kept and dropped parts share σ_r so the line is unbroken.
void SpectrumChart::showSpectrum(const Eigen::VectorXd* sigma, int k, int rank,
                                 const QString& name) {
    // Ordered so that no intermediate state has range/interval in the hundreds: laying out
    // 500 tick labels takes the GUI thread ~200 ms.
    const double interval = niceInterval(k + 1);
    if (interval >= m_x->tickInterval()) {
        m_x->setTickInterval(interval);
        m_x->setRange(0, k + 1);
    } else {
        m_x->setRange(0, k + 1);
        m_x->setTickInterval(interval);
    }
    if (!sigma) {
        for (QLineSeries* s : {m_kept, m_dropped, m_cut}) s->clear();
        chart()->setTitle(tr("Singular values (computing…)"));
        return;
    }
    const double top = sigma->size() ? (*sigma)[0] : 0.0;
    if (!(top > 0.0)) {
        for (QLineSeries* s : {m_kept, m_dropped, m_cut}) s->clear();
        m_y->setRange(0.1, 1.0);
        m_cut->setName(tr("cut r = %1").arg(rank));
        chart()->setTitle(tr("Singular values: all zero"));
        return;
    }
    const double floor = top * 1e-7;
    double low = top;
    QList<QPointF> kept, dropped;
    kept.reserve(rank);
    dropped.reserve(std::max<qsizetype>(0, sigma->size() - rank + 1));
    for (int i = 0; i < sigma->size(); ++i) {
        const double s = std::max((*sigma)[i], floor);
        low = std::min(low, s);
        if (i < rank) kept.append({i + 1.0, s});
        if (i + 1 >= rank) dropped.append({i + 1.0, s});
    }
    const double yLow = std::pow(10.0, std::floor(std::log10(low)));
    const double yHigh = std::pow(10.0, std::ceil(std::log10(top) + 1e-9));
    m_y->setRange(yLow * 0.999, yHigh * 1.001); // else rounding may hide an end label
    const bool dots = k <= 64;
    m_kept->setPointsVisible(dots);
    m_dropped->setPointsVisible(dots);
    m_kept->replace(kept);
    m_dropped->replace(rank < k ? dropped : QList<QPointF>{});
    const double x = rank + 0.5;
    m_cut->replace({{x, yLow}, {x, yHigh}});
    m_cut->setName(tr("cut r = %1").arg(rank));
    const bool floored = (*sigma)[sigma->size() - 1] < floor;
    chart()->setTitle(
        floored ? tr("Singular values of %1 (log; σ < 10⁻⁷·σ₁ drawn at 10⁻⁷·σ₁)").arg(name)
                : tr("Singular values of %1 (log scale)").arg(name));
}
