#include "docks/combine_gap_section.h"

#include "jobs/background_pool.h"
#include "util/error.h"
#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QFutureWatcher>
#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

struct CombineGapSection::Result {
    quint64 generation = 0;
    std::vector<lora::CombineGap> gaps;
    QString error;
};

namespace {

QString layerName(int layer) {
    return QStringLiteral("fc%1").arg(layer + 1);
}

} // namespace

CombineGapSection::CombineGapSection(QWidget* parent) : QWidget(parent) {
    m_label = new QLabel(this);
    m_label->setObjectName("combineGapLabel");
    m_label->setWordWrap(true);
    m_bars = new QBarSet(tr("‖ΔW_new − Σ wᵢΔWᵢ‖ / ‖Σ wᵢΔWᵢ‖ (%)"));
    m_bars->setColor(QColor(0xff, 0x7f, 0x0e));
    auto* series = new QBarSeries;
    series->append(m_bars);
    series->setLabelsVisible(true);
    series->setLabelsFormat(QStringLiteral("@value %"));
    series->setLabelsPrecision(3);
    series->setLabelsPosition(QAbstractBarSeries::LabelsOutsideEnd);
    auto* chart = new QChart;
    chart->addSeries(series);
    chart->legend()->hide();
    chart->setTitle(tr("Measured gap to Σ wᵢΔWᵢ per layer (%)"));
    m_layerAxis = new QBarCategoryAxis;
    m_gapAxis = new QValueAxis;
    m_gapAxis->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(m_layerAxis, Qt::AlignBottom);
    chart->addAxis(m_gapAxis, Qt::AlignLeft);
    series->attachAxis(m_layerAxis);
    series->attachAxis(m_gapAxis);
    m_view = new ChartView(chart, this);
    m_view->setObjectName("combineGapChart");
    m_view->setMinimumHeight(180);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_label);
    layout->addWidget(m_view);
    m_watcher = new QFutureWatcher<std::shared_ptr<Result>>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &CombineGapSection::onMeasured);
    clear(tr("Choose two or more adapters to see how far the combination is from their sum."));
}

void CombineGapSection::setInputs(CombineInputs inputs) {
    m_inputs = std::move(inputs);
}

void CombineGapSection::clear(const QString& reason) {
    ++m_generation;
    m_pending = 0;
    m_gaps.clear();
    m_bars->remove(0, m_bars->count());
    m_layerAxis->clear();
    m_gapAxis->setRange(0, 1);
    m_label->setText(reason);
}

void CombineGapSection::measure(const CombineRequest& request) {
    std::vector<lora::AdapterWeights> parts;
    for (const QString& name : request.names) {
        const auto it = m_inputs.adapters.find(name);
        if (it == m_inputs.adapters.end()) return clear(tr("'%1' is not in the library").arg(name));
        parts.push_back(it->second);
    }
    clear(tr("measuring…"));
    m_pending = m_generation;
    m_watcher->setFuture(runInBackground([generation = m_generation, arch = m_inputs.architecture,
                                          parts = std::move(parts), options = request.options] {
        auto result = std::make_shared<Result>();
        result->generation = generation;
        try {
            const lora::Mlp shapes(arch); // only the layer shapes are read
            const lora::AdapterWeights combined = lora::combineAdapters(shapes, parts, options);
            result->gaps = lora::combineGaps(shapes, parts, options.weights, combined);
        } catch (const std::exception& e) {
            result->error = QString::fromStdString(lora::errorText(e));
        }
        return result;
    }));
}

void CombineGapSection::onMeasured() {
    const std::shared_ptr<Result> result = m_watcher->result();
    if (!result || result->generation != m_generation) return; // superseded
    m_pending = 0;
    if (!result->error.isEmpty()) {
        m_label->setText(result->error);
        emit measured();
        return;
    }
    m_gaps = result->gaps;
    QStringList layers;
    double top = 1;
    for (const lora::CombineGap& g : m_gaps) {
        layers << layerName(g.layer);
        m_bars->append(100 * g.relativeGap);
        top = std::max(top, 100 * g.relativeGap);
    }
    m_layerAxis->append(layers);
    m_gapAxis->setRange(0, top * 1.15);
    m_gapAxis->applyNiceNumbers();
    m_label->setText(text());
    emit measured();
}

QString CombineGapSection::text() const {
    QStringList parts;
    for (const lora::CombineGap& g : m_gaps)
        parts << tr("%1 rank %2: %3 % (max |gap| %4 of %5)")
                     .arg(layerName(g.layer))
                     .arg(g.rank)
                     .arg(100 * g.relativeGap, 0, 'g', 3)
                     .arg(g.maxAbsGap, 0, 'g', 3)
                     .arg(g.targetMaxAbs, 0, 'g', 3);
    return parts.join(QLatin1Char('\n'));
}
