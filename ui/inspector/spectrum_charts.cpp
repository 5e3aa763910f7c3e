#include "inspector/spectrum_charts.h"

#include "widgets/chart_view.h"

#include <QChart>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace {

QChart* makeChart(const QString& title) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    return chart;
}

} // namespace

SpectrumCharts::SpectrumCharts(QWidget* parent) : QWidget(parent) {
    QChart* s = makeChart(tr("singular values of ΔW"));
    m_sigma = new QLineSeries;
    m_sigma->setName(tr("σ"));
    m_sigmaPoints = new QScatterSeries;
    m_sigmaPoints->setName(tr("σ points"));
    m_sigmaPoints->setMarkerSize(6);
    s->addSeries(m_sigma);
    s->addSeries(m_sigmaPoints);
    m_sigmaX = new QValueAxis;
    m_sigmaX->setTitleText(tr("index k"));
    m_sigmaX->setLabelFormat("%d");
    m_sigmaX->setTickType(QValueAxis::TicksDynamic); // whole indices only
    m_sigmaX->setTickAnchor(0);
    m_sigmaY = new QLogValueAxis;
    m_sigmaY->setTitleText(tr("σₖ"));
    m_sigmaY->setLabelFormat("%.2g");
    s->addAxis(m_sigmaX, Qt::AlignBottom);
    s->addAxis(m_sigmaY, Qt::AlignLeft);
    for (auto* series :
         {static_cast<QXYSeries*>(m_sigma), static_cast<QXYSeries*>(m_sigmaPoints)}) {
        series->attachAxis(m_sigmaX);
        series->attachAxis(m_sigmaY);
    }

    QChart* e = makeChart(tr("cumulative energy Σₖσ² / Σσ²"));
    m_energy = new QLineSeries;
    m_energy->setName(tr("energy"));
    m_cut = new QLineSeries;
    m_cut->setName(tr("kept rank r′"));
    m_cut->setPen(QPen(Qt::red, 1.5, Qt::DashLine));
    e->addSeries(m_energy);
    e->addSeries(m_cut);
    m_energyX = new QValueAxis;
    m_energyX->setTitleText(tr("directions k"));
    m_energyX->setLabelFormat("%d");
    m_energyX->setTickType(QValueAxis::TicksDynamic);
    m_energyX->setTickAnchor(0);
    auto* energyY = new QValueAxis;
    energyY->setRange(0, 1);
    energyY->setTickCount(6);
    energyY->setLabelFormat("%.1f");
    e->addAxis(m_energyX, Qt::AlignBottom);
    e->addAxis(energyY, Qt::AlignLeft);
    for (auto* series : {m_energy, m_cut}) {
        series->attachAxis(m_energyX);
        series->attachAxis(energyY);
    }

    m_sigmaView = new ChartView(s);
    m_energyView = new ChartView(e);
    for (ChartView* v : {m_sigmaView, m_energyView}) v->setMinimumSize(220, 170);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_sigmaView);
    layout->addWidget(m_energyView);
}

void SpectrumCharts::setSpectrum(const QString& title, const std::vector<double>& sigma, int cut) {
    m_sigmaView->chart()->setTitle(tr("σ of ΔW — %1").arg(title));
    QList<QPointF> points, energy{{0, 0}};
    double total = 0, kept = 0, lo = INFINITY, hi = 0;
    for (double s : sigma) total += s * s;
    for (std::size_t k = 0; k < sigma.size(); ++k) {
        kept += sigma[k] * sigma[k];
        energy.append({double(k + 1), total > 0 ? kept / total : 0});
        // A log axis cannot show 0: exact zeros (rank-deficient factors) are left out.
        if (sigma[k] > 0) {
            points.append({double(k + 1), sigma[k]});
            lo = std::min(lo, sigma[k]);
            hi = std::max(hi, sigma[k]);
        }
    }
    m_sigma->replace(points);
    m_sigmaPoints->replace(points);
    m_energy->replace(energy);
    const double n = std::max<double>(2, double(sigma.size()));
    // An integer step with at most ~8 ticks: 1 for r 4, 8 for r 64.
    const double step = std::max(1.0, std::ceil(n / 8));
    m_sigmaX->setRange(0, n + 1);
    m_sigmaX->setTickInterval(step);
    if (points.isEmpty()) lo = 0.1, hi = 1;
    // Powers of 10 label a narrow spectrum (σ within a factor 100) once or not at all; powers
    // of 2 give it a few readable ticks.
    m_sigmaY->setBase(hi / lo < 100 ? 2 : 10);
    m_sigmaY->setRange(lo / 2, hi * 2);
    m_energyX->setRange(0, n);
    m_energyX->setTickInterval(step);
    if (cut > 0)
        m_cut->replace({{double(cut), 0}, {double(cut), 1}});
    else
        m_cut->clear();
}

void SpectrumCharts::clear() {
    m_sigma->clear();
    m_sigmaPoints->clear();
    m_energy->clear();
    m_cut->clear();
}
