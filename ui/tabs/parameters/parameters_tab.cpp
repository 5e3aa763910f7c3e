#include "tabs/parameters/parameters_tab.h"

#include "tabs/parameters/memory_chart.h"
#include "util/error.h"
#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QLabel>
#include <QLocale>
#include <QLogValueAxis>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace {

const QString kCurrent = QStringLiteral("Current architecture");

// English grouping everywhere, so "3,656" reads the same as the seeds and PEFT print it.
QString grouped(std::int64_t n) {
    return QLocale(QLocale::English).toString(qint64(n));
}

QString joined(const std::vector<std::string>& names) {
    QStringList list;
    for (const std::string& n : names) list << QString::fromStdString(n);
    return list.join(QStringLiteral(", "));
}

QString readablePreset(const std::string& name) {
    static const std::map<std::string, QString> names = {
        {"seed000", QStringLiteral("Seed 000 MLP 784-64-2")},
        {"richboynet", QStringLiteral("RichBoyNet 784-1000-2000-10")},
        {"gpt2-small", QStringLiteral("GPT-2 small (124 M)")},
        {"llama2-7b", QStringLiteral("Llama-2-7B")},
        {"square4096", QStringLiteral("One 4096×4096 layer")},
        {"split512x256", QStringLiteral("One 512×256 weight")}};
    const auto it = names.find(name);
    const QString id = QString::fromStdString(name);
    return it == names.end() ? id : QStringLiteral("%1 — %2").arg(it->second, id);
}

// Binary units with one decimal: 805,920 B is "787.0 KiB".
QString humanBytes(double bytes) {
    if (bytes < 1024.0) return QStringLiteral("%1 B").arg(std::llround(bytes));
    static const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    double v = bytes / 1024.0;
    while (v >= 1024.0 && unit < 3) {
        v /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(QString::number(v, 'f', 1), QLatin1String(units[unit]));
}

QString tile(const QString& value, const QString& caption) {
    return QStringLiteral("<div style='font-size:20pt; font-weight:600'>%1</div>"
                          "<div style='color:#555'>%2</div>")
        .arg(value, caption);
}

QLabel* makeTile(const char* objectName, QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setObjectName(QLatin1String(objectName));
    label->setTextFormat(Qt::RichText);
    label->setFrameShape(QFrame::StyledPanel);
    label->setMargin(6);
    label->setWordWrap(true);
    label->setMinimumWidth(150);
    label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    return label;
}

void compactRows(QTableWidget* table) {
    table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
    table->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
}

QTableWidgetItem* numberItem(const QString& text, const QString& tip = QString()) {
    auto* item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    item->setToolTip(tip);
    return item;
}

} // namespace

ParametersTab::ParametersTab(QWidget* parent) : QWidget(parent) {
    m_modelCombo = new QComboBox(this);
    m_modelCombo->setObjectName(QStringLiteral("modelCombo"));
    m_modelCombo->addItem(kCurrent, kCurrent);
    for (const std::string& name : lora::presetNames())
        m_modelCombo->addItem(readablePreset(name), QString::fromStdString(name));

    m_descriptionLabel = new QLabel(this);
    m_descriptionLabel->setObjectName(QStringLiteral("descriptionLabel"));
    m_descriptionLabel->setWordWrap(true);
    m_errorLabel = new QLabel(this);
    m_errorLabel->setObjectName(QStringLiteral("errorLabel"));
    m_errorLabel->setStyleSheet(QStringLiteral("color: #c62828; font-weight: 600"));
    m_errorLabel->setWordWrap(true);
    m_errorLabel->hide();

    m_trainableLabel = makeTile("trainableLabel", this);
    m_percentLabel = makeTile("percentLabel", this);
    m_incrementLabel = makeTile("incrementLabel", this);
    m_reductionLabel = makeTile("reductionLabel", this);
    buildChart();
    buildTables();
    arrange();
    connect(m_modelCombo, &QComboBox::currentIndexChanged, this, &ParametersTab::recompute);
    recompute();
}

void ParametersTab::buildChart() {
    // Horizontal bars on a log axis: LoRA is 1–3 orders of magnitude below full fine-tuning,
    // so linear bars would hide it, and long PEFT module names fit on the category axis.
    m_fullSet = new QBarSet(tr("full fine-tune"));
    m_loraSet = new QBarSet(tr("LoRA"));
    auto* series = new QHorizontalBarSeries;
    series->append(m_fullSet);
    series->append(m_loraSet);
    auto* chart = new QChart;
    chart->setTitle(tr("Parameters per layer type (log, all blocks)"));
    chart->addSeries(series);
    m_layerAxis = new QBarCategoryAxis;
    m_countAxis = new QLogValueAxis;
    m_countAxis->setBase(10);
    m_countAxis->setLabelFormat(QStringLiteral("%.0e"));
    m_countAxis->setMinorTickCount(-1);
    chart->addAxis(m_layerAxis, Qt::AlignLeft);
    chart->addAxis(m_countAxis, Qt::AlignBottom);
    series->attachAxis(m_layerAxis);
    series->attachAxis(m_countAxis);
    chart->legend()->setAlignment(Qt::AlignBottom);
    m_chartView = new ChartView(chart, this);
    m_chartView->setObjectName(QStringLiteral("parametersChart"));
    connect(series, &QHorizontalBarSeries::hovered, this,
            [this](bool status, int index, QBarSet* set) {
                if (!status) return QToolTip::hideText();
                const auto& layers = m_budget.layers; // listed bottom-up by the axis
                if (index < 0 || index >= int(layers.size())) return;
                const lora::LayerBudget& layer = layers[layers.size() - 1 - std::size_t(index)];
                const std::int64_t n = set == m_fullSet ? layer.baseParams : layer.loraParams;
                QToolTip::showText(QCursor::pos(),
                                   QStringLiteral("%1 · %2: %3")
                                       .arg(m_layerAxis->at(index), set->label(), grouped(n)));
            });
}

void ParametersTab::buildTables() {
    m_memoryChart = new MemoryChart(this);
    m_memoryChart->setObjectName(QStringLiteral("memoryChart"));
    m_memoryTable = new QTableWidget(7, 4, this);
    m_memoryTable->setObjectName(QStringLiteral("memoryTable"));
    m_memoryTable->setHorizontalHeaderLabels(
        {tr("weights"), tr("gradients"), tr("Adam state"), tr("total")});
    m_memoryTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_memoryTable->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    compactRows(m_memoryTable);
    m_memoryTable->setToolTip(tr("Activations are not counted. QLoRA: NF4 linear weights "
                                 "(0.5625 B each), the rest of the base in bf16."));

    m_layerTable = new QTableWidget(0, 6, this);
    m_layerTable->setObjectName(QStringLiteral("layerTable"));
    m_layerTable->setHorizontalHeaderLabels({tr("layer"), tr("in → out"), tr("blocks"), tr("LoRA"),
                                             tr("full params"), tr("LoRA params")});
    m_layerTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_layerTable->verticalHeader()->hide();
    compactRows(m_layerTable);
    m_layerTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_layerTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
}

void ParametersTab::arrange() {
    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Model:"), this));
    header->addWidget(m_modelCombo);
    header->addStretch();
    auto* tiles = new QHBoxLayout;
    for (QLabel* t : {m_trainableLabel, m_percentLabel, m_incrementLabel, m_reductionLabel})
        tiles->addWidget(t, 1);
    auto* tables = new QVBoxLayout;
    tables->addWidget(new QLabel(tr("Training memory (weights + gradients + Adam)"), this));
    tables->addWidget(m_memoryTable);
    tables->addWidget(new QLabel(tr("Per layer type"), this));
    tables->addWidget(m_layerTable, 1);
    auto* charts = new QVBoxLayout;
    charts->addWidget(m_chartView, 1);
    charts->addWidget(m_memoryChart, 1);
    auto* body = new QHBoxLayout;
    body->addLayout(charts, 5);
    body->addLayout(tables, 6);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_descriptionLabel);
    layout->addWidget(m_errorLabel);
    layout->addLayout(tiles);
    layout->addLayout(body, 1);
}

QString ParametersTab::modelChoice() const {
    return m_modelCombo->currentData().toString();
}

void ParametersTab::setConfiguration(const std::string& architecture, int rank, float alpha,
                                     bool rslora, const std::vector<std::string>& targets) {
    m_architecture = architecture;
    m_rank = rank;
    m_alpha = alpha;
    m_rslora = rslora;
    m_targets = targets;
    recompute();
}

void ParametersTab::selectModel(const QString& choice) {
    int index = m_modelCombo->findData(choice);
    if (index < 0) index = m_modelCombo->findText(choice);
    if (index < 0) {
        m_errorLabel->setText(tr("unknown model '%1'").arg(choice));
        m_errorLabel->show();
        return;
    }
    if (index == m_modelCombo->currentIndex())
        recompute();
    else
        m_modelCombo->setCurrentIndex(index); // recomputes through currentIndexChanged
}

void ParametersTab::recompute() {
    try {
        // Presets take the experiment's rank, α and rsLoRA but their own targets: the
        // experiment's fc1/fc2 names exist only in the MLP.
        const bool current = modelChoice() == kCurrent;
        const lora::ModelShape shape = current ? lora::mlpShape(m_architecture)
                                               : lora::presetShape(modelChoice().toStdString());
        const std::vector<std::string>& targets = current ? m_targets : shape.defaultTargets;
        m_budget = lora::computeBudget(shape, m_rank, m_alpha, targets, m_rslora);
        m_shape = shape;
        m_errorLabel->clear();
        m_errorLabel->hide();
        // Refilling the chart and tables takes ~1 ms: not on every rank-slider tick while
        // another tab is open. A window not shown yet (or a lone panel) updates at once.
        m_displayStale = !isVisible() && window() != this && window()->isVisible();
        if (!m_displayStale) showBudget(m_shape);
    } catch (const lora::InputError& e) {
        // The last good numbers stay on screen; only the message changes.
        m_errorLabel->setText(QString::fromUtf8(e.what()));
        m_errorLabel->show();
    }
}

void ParametersTab::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    if (!m_displayStale) return;
    m_displayStale = false;
    showBudget(m_shape);
}

void ParametersTab::showBudget(const lora::ModelShape& shape) {
    const lora::ParameterBudget& b = m_budget;
    const QString targets = b.targets.empty() ? tr("every linear layer") : joined(b.targets);
    m_descriptionLabel->setText(tr("%1. LoRA on %2 · rank %3 · α %4 · scale %5%6")
                                    .arg(QString::fromStdString(shape.description), targets)
                                    .arg(b.rank)
                                    .arg(double(b.alpha), 0, 'g', 4)
                                    .arg(double(b.scale), 0, 'g', 4)
                                    .arg(m_rslora ? tr(" (rsLoRA α/√r)") : QString()));
    m_trainableLabel->setText(tile(grouped(b.loraParams), tr("trainable LoRA parameters")));
    m_percentLabel->setText(tile(QStringLiteral("%1 %").arg(b.trainablePercent, 0, 'f', 4),
                                 tr("of the model (PEFT trainable%)")));
    m_incrementLabel->setText(tile(QStringLiteral("+%1 %").arg(b.incrementPercent, 0, 'g', 3),
                                   tr("over the base's %1").arg(grouped(b.baseParams))));
    const bool whole = b.reduction >= 100 || b.reduction == std::round(b.reduction);
    m_reductionLabel->setText(tile(QStringLiteral("%1×").arg(b.reduction, 0, 'f', whole ? 0 : 1),
                                   tr("fewer than the targeted weights")));
    fillChart();
    fillMemoryTable();
    fillLayerTable();
}

void ParametersTab::fillChart() {
    const std::vector<lora::LayerBudget>& layers = m_budget.layers;
    // Listed bottom-up by the axis, so insert in reverse to read fc1… from the top.
    QStringList names;
    double lo = 1e300, hi = 1.0;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        QString name = QString::fromStdString(it->name);
        if (it->repeat > 1) name += QStringLiteral(" ×%1").arg(it->repeat);
        names << name;
        for (std::int64_t n : {it->baseParams, it->loraParams})
            if (n > 0) lo = std::min(lo, double(n)), hi = std::max(hi, double(n));
    }
    // Whole decades so the ticks land on 10^k. Bars start at the axis minimum, so it sits a
    // decade below the smallest count to keep every bar visible.
    const double min = std::pow(10.0, std::floor(std::log10(std::min(lo, hi))) - 1.0);
    const double max =
        std::pow(10.0, std::max(std::ceil(std::log10(hi * 1.5)), std::log10(min) + 1.0));
    // An untargeted layer's 0 has no logarithm (Qt warns once per bar and repaint): it is drawn
    // as a bar of length 0 at the axis minimum; the tooltip reads the budget, not the bar.
    QList<qreal> full, lora;
    for (auto it = layers.rbegin(); it != layers.rend(); ++it) {
        full << std::max(qreal(it->baseParams), qreal(min));
        lora << std::max(qreal(it->loraParams), qreal(min));
    }
    // Off the series while they change: with one set emptied and the other not, the chart lays
    // out the missing values as 0 on the log axis (and warns for each).
    auto* series = static_cast<QHorizontalBarSeries*>(m_chartView->chart()->series().front());
    series->take(m_fullSet);
    series->take(m_loraSet);
    m_fullSet->remove(0, m_fullSet->count());
    m_loraSet->remove(0, m_loraSet->count());
    m_fullSet->append(full);
    m_loraSet->append(lora);
    m_layerAxis->setCategories(names);
    series->append(QList<QBarSet*>{m_fullSet, m_loraSet});
    m_countAxis->setRange(min, max);
}

void ParametersTab::fillMemoryTable() {
    QStringList rows;
    const QLocale english(QLocale::English);
    for (int r = 0; r < int(m_budget.memory.size()); ++r) {
        const lora::MemoryRow& m = m_budget.memory[r];
        rows << QStringLiteral("%1 %2").arg(QString::fromStdString(m.method),
                                            QString::fromStdString(m.precision));
        const double values[] = {m.weightBytes, m.gradientBytes, m.optimizerBytes, m.totalBytes};
        for (int c = 0; c < 4; ++c)
            m_memoryTable->setItem(
                r, c,
                numberItem(humanBytes(values[c]),
                           tr("%1 bytes").arg(english.toString(values[c], 'f', 0))));
    }
    m_memoryTable->setRowCount(int(m_budget.memory.size()));
    m_memoryChart->setRows(m_budget.memory);
    m_memoryTable->setVerticalHeaderLabels(rows);
    // Exactly as tall as its rows, leaving the rest of the column to the layer table.
    m_memoryTable->setFixedHeight(m_memoryTable->horizontalHeader()->sizeHint().height() +
                                  m_memoryTable->verticalHeader()->length() +
                                  2 * m_memoryTable->frameWidth());
}

void ParametersTab::fillLayerTable() {
    const std::vector<lora::LayerBudget>& layers = m_budget.layers;
    std::int64_t linearParams = 0;
    for (const lora::LayerBudget& l : layers) linearParams += l.baseParams;
    const std::int64_t other = m_budget.baseParams - linearParams;
    m_layerTable->setRowCount(int(layers.size()) + (other > 0 ? 2 : 1));
    int row = 0;
    for (const lora::LayerBudget& l : layers) {
        m_layerTable->setItem(row, 0, new QTableWidgetItem(QString::fromStdString(l.name)));
        m_layerTable->setItem(row, 1, numberItem(QStringLiteral("%1 → %2").arg(l.in).arg(l.out)));
        m_layerTable->setItem(row, 2, numberItem(QString::number(l.repeat)));
        m_layerTable->setItem(row, 3, new QTableWidgetItem(l.target ? tr("yes") : tr("—")));
        m_layerTable->setItem(row, 4, numberItem(grouped(l.baseParams)));
        m_layerTable->setItem(row, 5, numberItem(grouped(l.loraParams)));
        ++row;
    }
    const auto summary = [&](const QString& name, std::int64_t full, std::int64_t lora) {
        m_layerTable->setItem(row, 0, new QTableWidgetItem(name));
        for (int c = 1; c < 4; ++c) m_layerTable->setItem(row, c, new QTableWidgetItem);
        m_layerTable->setItem(row, 4, numberItem(grouped(full)));
        m_layerTable->setItem(row, 5, numberItem(grouped(lora)));
        ++row;
    };
    if (other > 0) {
        summary(tr("other"), other, 0);
        m_layerTable->item(row - 1, 0)
            ->setToolTip(tr("Embeddings, norms and untied heads: counted, never adapted"));
    }
    summary(tr("total"), m_budget.baseParams, m_budget.loraParams);
    QFont bold = m_layerTable->font();
    bold.setBold(true);
    for (int c = 0; c < 6; ++c) m_layerTable->item(row - 1, c)->setFont(bold);
}
