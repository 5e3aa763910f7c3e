#include "tabs/forgetting/update_spectrum_section.h"

#include "widgets/chart_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {

constexpr int kSpectrumShown = 32; // the tail of a 64-wide spectrum is noise on a log axis

QLineSeries* makeSeries(const QColor& color) {
    auto* series = new QLineSeries;
    series->setPen(QPen(color, 2.0));
    series->setPointsVisible(true);
    return series;
}

} // namespace

UpdateSpectrumSection::UpdateSpectrumSection(QWidget* parent)
    : QGroupBox(tr("Is the update low-rank?"), parent) {
    m_layerCombo = new QComboBox(this);
    m_layerCombo->setObjectName(QStringLiteral("layerCombo"));
    m_readoutLabel = new QLabel(this);
    m_readoutLabel->setObjectName(QStringLiteral("readoutLabel"));
    m_readoutLabel->setWordWrap(true);
    m_readoutLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_topSeries = makeSeries(QColor(0x1f, 0x77, 0xb4));
    m_restSeries = makeSeries(QColor(0x70, 0x70, 0x70));
    auto* spectrum = new QChart;
    spectrum->setTitle(tr("Singular values of ΔW_full = W_tuned − W_base"));
    spectrum->legend()->setAlignment(Qt::AlignBottom);
    m_indexAxis = new QValueAxis;
    m_indexAxis->setTitleText(tr("index i"));
    m_indexAxis->setLabelFormat(QStringLiteral("%d"));
    m_sigmaAxis = new QLogValueAxis;
    m_sigmaAxis->setTitleText(tr("σᵢ (log)"));
    m_sigmaAxis->setLabelFormat(QStringLiteral("%g"));
    spectrum->addAxis(m_indexAxis, Qt::AlignBottom);
    spectrum->addAxis(m_sigmaAxis, Qt::AlignLeft);
    for (QLineSeries* s : {m_topSeries, m_restSeries}) {
        spectrum->addSeries(s);
        s->attachAxis(m_indexAxis);
        s->attachAxis(m_sigmaAxis);
    }
    m_spectrumChart = new ChartView(spectrum, this);
    m_spectrumChart->setObjectName(QStringLiteral("spectrumChart"));
    // Title, legend, two axes and their labels need this much before the plot gets any room.
    m_spectrumChart->setMinimumHeight(240);

    m_restSeries->setName(tr("the rest"));
    auto* side = new QVBoxLayout;
    side->addWidget(new QLabel(tr("Layer:"), this));
    side->addWidget(m_layerCombo);
    side->addWidget(m_readoutLabel);
    side->addStretch(1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(side, 1);
    layout->addWidget(m_spectrumChart, 2);
    connect(m_layerCombo, &QComboBox::currentIndexChanged, this, &UpdateSpectrumSection::showLayer);
    showLayer();
}

QString UpdateSpectrumSection::readout() const {
    return m_readoutLabel->text();
}

void UpdateSpectrumSection::setResult(std::shared_ptr<const lora::ForgettingResult> result) {
    m_result = std::move(result);
    const QString layer = m_layerCombo->currentText();
    m_layerCombo->blockSignals(true);
    m_layerCombo->clear();
    if (m_result)
        for (const lora::LayerUpdate& u : m_result->updates)
            m_layerCombo->addItem(QStringLiteral("fc%1").arg(u.layer + 1));
    m_layerCombo->setCurrentIndex(std::max(0, m_layerCombo->findText(layer)));
    m_layerCombo->blockSignals(false);
    showLayer();
}

void UpdateSpectrumSection::showLayer() {
    const int i = m_layerCombo->currentIndex();
    if (!m_result || i < 0 || i >= int(m_result->updates.size())) {
        m_topSeries->clear();
        m_restSeries->clear();
        m_indexAxis->setRange(0, kSpectrumShown + 1);
        m_sigmaAxis->setRange(0.01, 10);
        m_readoutLabel->setText(tr("After a run: how much of the full fine-tune's update ΔW_full "
                                   "a rank-r matrix can hold."));
        return;
    }
    const lora::LayerUpdate& u = m_result->updates[i];
    const Eigen::VectorXd& sigma = u.full.singularValues;
    const int shown = std::min<int>(kSpectrumShown, sigma.size());
    // A log axis cannot show 0: exact zeros are drawn at a floor far below the largest σ.
    const double top = sigma.size() ? std::max(sigma(0), 1e-12) : 1.0;
    const double floor = top * 1e-6;
    QList<QPointF> topPoints, restPoints;
    double lo = top;
    for (int k = 0; k < shown; ++k) {
        const double s = std::max(sigma(k), floor);
        lo = std::min(lo, s);
        (k < u.loraRank ? topPoints : restPoints).append({double(k + 1), s});
    }
    // Joined at r so the spectrum reads as one line in two colours.
    if (!topPoints.isEmpty() && !restPoints.isEmpty()) restPoints.prepend(topPoints.back());
    m_topSeries->setName(tr("top %1 (a rank-%1 LoRA's room)").arg(u.loraRank));
    m_topSeries->replace(topPoints);
    m_restSeries->replace(restPoints);
    m_indexAxis->setRange(0, shown + 1);
    // Whole-number ticks only: 1 apart for a short spectrum, 4 apart for 32 values.
    m_indexAxis->setTickType(QValueAxis::TicksDynamic);
    m_indexAxis->setTickAnchor(0);
    m_indexAxis->setTickInterval(shown <= 10 ? 1 : 4);
    m_sigmaAxis->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                          std::pow(10.0, std::ceil(std::log10(top * 1.01))));

    const lora::ForgettingPoint& last = m_result->series.back();
    QString text = tr("fc%1 (%2 singular values, numerical rank %3): ")
                       .arg(u.layer + 1)
                       .arg(sigma.size())
                       .arg(u.full.numericalRank);
    if (u.loraRank > 0)
        text += tr("top-%1 energy %2 % of ‖ΔW_full‖², ‖ΔW_full‖ %3, rank-%1 LoRA ‖ΔW‖ %4")
                    .arg(u.loraRank)
                    .arg(100.0 * u.energyTopR, 0, 'f', 1)
                    .arg(u.full.frobeniusNorm, 0, 'f', 1)
                    .arg(u.loraNorm, 0, 'f', 1);
    else
        text += tr("‖ΔW_full‖ %1; LoRA does not target this layer")
                    .arg(u.full.frobeniusNorm, 0, 'f', 1);
    text += tr(", accuracy full %1 % / LoRA %2 %")
                .arg(last.fullNew, 0, 'f', 1)
                .arg(last.loraNew, 0, 'f', 1);
    m_readoutLabel->setText(text);
}
