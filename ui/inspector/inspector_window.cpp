#include "inspector/inspector_window.h"

#include "inspector/metadata_section.h"
#include "inspector/module_grid_widget.h"
#include "inspector/module_table.h"
#include "inspector/resize_section.h"
#include "inspector/spectrum_charts.h"
#include "io/lora_file.h"
#include "io/module_layout.h"
#include "jobs/background_task.h"
#include "linalg/lora_file_resize.h"
#include "linalg/module_health.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <map>

namespace {

QString sizeText(double bytes) {
    return QLocale::system().formattedDataSize(qint64(bytes), 1, QLocale::DataSizeSIFormat);
}

} // namespace

InspectorWindow::InspectorWindow(QWidget* parent) : QWidget(parent, Qt::Window) {
    setObjectName(QStringLiteral("inspectorWindow"));
    setWindowTitle(tr("Adapter inspector"));
    m_load = new BackgroundTask(this);
    m_compare = new BackgroundTask(this);
    m_export = new BackgroundTask(this);
    buildLayout();
    resize(1240, 720); // fits a 1366×768 screen with its title bar and a panel

    connect(m_load, &BackgroundTask::finished, this, [this](bool stopped) {
        m_progress->hide();
        if (!stopped && m_pending && !m_pending->cancelled) adopt(m_pending, m_pendingPath);
        m_pending.reset();
    });
    connect(m_compare, &BackgroundTask::finished, this, [this](bool stopped) {
        m_progress->hide();
        if (stopped || !m_pendingComparison) return;
        m_comparison = std::move(*m_pendingComparison);
        std::vector<std::optional<ModuleTable::Similarity>> values;
        for (const auto& c : m_comparison)
            values.push_back(c && c->available
                                 ? std::optional(ModuleTable::Similarity{c->cosine, c->phiFull})
                                 : std::nullopt);
        m_table->setComparison(values);
        const auto matched = std::count_if(values.begin(), values.end(),
                                           [](const auto& v) { return v.has_value(); });
        m_status->setText(tr("compared with %1: %2 of %3 modules matched by name")
                              .arg(m_comparePath)
                              .arg(matched)
                              .arg(values.size()));
        m_metric->setCurrentIndex(Cosine);
        refreshGrid();
        emit compared();
    });
    connect(m_export, &BackgroundTask::finished, this, [this](bool stopped) {
        m_progress->hide();
        if (stopped) return;
        m_status->setText(tr("wrote %1").arg(m_exportPath));
        emit exported(m_exportPath);
    });
    for (BackgroundTask* task : {m_load, m_compare, m_export})
        connect(task, &BackgroundTask::failed, this, [this](const QString& message) {
            m_progress->hide();
            m_pending.reset();
            showError(message);
        });
    connect(m_metric, &QComboBox::currentIndexChanged, this, &InspectorWindow::refreshGrid);
    connect(m_grid, &ModuleGridWidget::cellClicked, this, &InspectorWindow::onCellClicked);
    connect(m_table, &ModuleTable::moduleSelected, this, &InspectorWindow::selectModule);
    connect(m_resize, &ResizeSection::ruleChanged, this, &InspectorWindow::refreshPreview);
    connect(m_resize->exportButton(), &QPushButton::clicked, this, &InspectorWindow::chooseExport);
}

InspectorWindow::~InspectorWindow() {
    // Jobs post progress to this window: they must be over before its members go.
    for (BackgroundTask* task : {m_load, m_compare, m_export}) {
        task->stop();
        task->waitForIdle();
    }
}

void InspectorWindow::buildLayout() {
    m_header = new QLabel(tr("Open a LoRA file (PEFT folder, kohya, diffusers, LyCORIS) or drop "
                             "one on the main window."));
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setWordWrap(true);
    auto* openButton = new QPushButton(tr("Open…"));
    auto* compareButton = new QPushButton(tr("Compare…"));
    compareButton->setToolTip(tr("Another file's modules against these, matched by name: the "
                                 "cosine of ΔW and the subspace similarity φ"));
    connect(openButton, &QPushButton::clicked, this, &InspectorWindow::chooseFile);
    connect(compareButton, &QPushButton::clicked, this, &InspectorWindow::chooseComparison);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(200);
    m_progress->hide();
    auto* top = new QHBoxLayout;
    top->addWidget(m_header, 1);
    top->addWidget(m_progress);
    top->addWidget(openButton);
    top->addWidget(compareButton);

    m_metric = new QComboBox;
    m_metric->addItems({tr("‖ΔW‖_F"), tr("effective rank"), tr("fro kept (preview)"),
                        tr("cos ΔW (compare)"), tr("φ (compare)")});
    m_grid = new ModuleGridWidget;
    auto* gridBox = new QWidget;
    auto* gridLayout = new QVBoxLayout(gridBox);
    gridLayout->setContentsMargins(0, 0, 0, 0);
    auto* metricRow = new QHBoxLayout;
    metricRow->addWidget(new QLabel(tr("Per block:")));
    metricRow->addWidget(m_metric);
    metricRow->addStretch(1);
    gridLayout->addLayout(metricRow);
    gridLayout->addWidget(m_grid, 1);

    m_spectrum = new SpectrumCharts;
    m_health = new QLabel;
    m_health->setWordWrap(true);
    auto* moduleBox = new QWidget;
    auto* moduleLayout = new QVBoxLayout(moduleBox);
    moduleLayout->setContentsMargins(0, 0, 0, 0);
    moduleLayout->addWidget(m_spectrum, 1);
    moduleLayout->addWidget(m_health);

    auto* upper = new QSplitter(Qt::Horizontal);
    upper->addWidget(gridBox);
    upper->addWidget(moduleBox);
    upper->setStretchFactor(0, 1);
    upper->setStretchFactor(1, 1);

    m_table = new ModuleTable;
    m_metadata = new MetadataSection;
    auto* tabs = new QTabWidget;
    tabs->addTab(m_table, tr("Modules"));
    tabs->addTab(m_metadata, tr("Metadata"));
    auto* vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(upper);
    vertical->addWidget(tabs);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);

    m_resize = new ResizeSection;
    m_status = new QLabel;
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(vertical, 1);
    layout->addWidget(m_resize);
    layout->addWidget(m_status);
}

void InspectorWindow::startProgress(const QString& what) {
    m_status->setText(what);
    m_progress->setRange(0, 0); // busy until the first module reports
    m_progress->show();
}

void InspectorWindow::open(const QString& path) {
    auto result = std::make_shared<lora::LoraReport>();
    m_pending = result;
    m_pendingPath = path;
    startProgress(tr("reading %1…").arg(path));
    const std::string file = path.toStdString();
    m_load->start([this, result, file](std::stop_token stop) {
        *result = lora::inspectLoraFile(file, [&](std::size_t done, std::size_t total) {
            QMetaObject::invokeMethod(
                this,
                [this, result, done, total] {
                    if (m_pending != result) return; // a newer read owns the bar
                    m_progress->setRange(0, int(total));
                    m_progress->setValue(int(done));
                },
                Qt::QueuedConnection);
            return !stop.stop_requested();
        });
    });
}

void InspectorWindow::adopt(std::shared_ptr<lora::LoraReport> report, const QString& path) {
    m_report = std::move(report);
    m_path = path;
    m_comparison.clear();
    m_selected = -1;
    std::vector<std::string> names;
    int maxRank = 1;
    for (const lora::ModuleReport& m : m_report->modules) {
        names.push_back(m.module.name);
        maxRank = std::max(maxRank, m.module.rank);
    }
    const lora::ModuleGrid layout = lora::moduleGrid(names);
    m_rowOf = layout.rowOf;
    m_columnOf = layout.columnOf;
    QStringList rows, columns;
    for (const auto& r : layout.rows) rows << QString::fromStdString(r);
    for (const auto& c : layout.columns) columns << QString::fromStdString(c);
    m_grid->setGrid(rows, columns, Eigen::MatrixXd::Constant(rows.size(), columns.size(), NAN));
    m_header->setText(headerText());
    m_table->setReport(*m_report);
    m_metadata->setMetadata(m_report->metadata);
    m_resize->setMaxRank(maxRank);
    if (m_metric->currentIndex() >= Cosine) m_metric->setCurrentIndex(DeltaNorm);
    refreshPreview(); // also repaints the grid
    m_status->setText(tr("read %1").arg(path));
    if (!m_report->modules.empty()) selectModule(0);
    emit loaded();
}

QString InspectorWindow::headerText() const {
    if (!m_report) return {};
    const lora::LoraReport& r = *m_report;
    return tr("<b>%1</b> — format %2 · base %3 · %4 modules · %5 params · %6 · rsLoRA %7")
        .arg(QFileInfo(m_path).fileName().toHtmlEscaped(), lora::toString(r.format),
             r.baseModel.empty() ? tr("not named")
                                 : QString::fromStdString(r.baseModel).toHtmlEscaped())
        .arg(r.modules.size())
        .arg(QLocale::system().toString(qlonglong(r.params)))
        .arg(sizeText(double(r.bytes)))
        .arg(r.rslora ? tr("yes") : tr("no"));
}

void InspectorWindow::showError(const QString& message) {
    m_lastError = message;
    m_status->setText(message);
    // Not exec(): the window keeps working (and tests keep running) under the message.
    auto* box = new QMessageBox(QMessageBox::Warning, tr("Adapter inspector"), message,
                                QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    emit failed(message);
}

double InspectorWindow::metricOf(int module) const {
    const lora::ModuleReport& m = m_report->modules[std::size_t(module)];
    const auto compared = [&]() -> const lora::ModuleComparison* {
        if (std::size_t(module) >= m_comparison.size() || !m_comparison[std::size_t(module)])
            return nullptr;
        const auto& c = *m_comparison[std::size_t(module)];
        return c.available ? &c : nullptr;
    };
    switch (Metric(m_metric->currentIndex())) {
    case DeltaNorm:
        return m.spectrum.available ? m.spectrum.deltaNorm : NAN;
    case EffectiveRank:
        return m.spectrum.available ? m.spectrum.effectiveRank : NAN;
    case FroKept:
        return std::size_t(module) < m_preview.modules.size()
                   ? m_preview.modules[std::size_t(module)].froRetained
                   : NAN;
    case Cosine:
        return compared() ? compared()->cosine : NAN;
    case Phi:
        return compared() ? compared()->phiFull : NAN;
    }
    return NAN;
}

void InspectorWindow::refreshGrid() {
    if (!m_report) return;
    Eigen::MatrixXd values =
        Eigen::MatrixXd::Constant(m_grid->rowNames().size(), m_grid->columnNames().size(), NAN);
    // Several modules in one cell (e.g. two embeddings under "other"): the largest shows.
    for (std::size_t i = 0; i < m_report->modules.size(); ++i) {
        const double v = metricOf(int(i));
        double& cell = values(m_rowOf[i], m_columnOf[i]);
        if (std::isfinite(v) && !(std::isfinite(cell) && cell >= v)) cell = v;
    }
    m_grid->setGrid(m_grid->rowNames(), m_grid->columnNames(), values);
}

void InspectorWindow::refreshPreview() {
    if (!m_report) return;
    m_preview = lora::previewResize(*m_report, m_resize->rule());
    m_table->setPreview(m_preview);
    const double before = double(m_preview.bytesBefore), after = double(m_preview.bytesAfter);
    int resized = 0;
    for (const auto& p : m_preview.modules) resized += p.resized ? 1 : 0;
    m_resize->setSummary(tr("%1 → %2 (%3 % of the original), %4 of %5 modules cut")
                             .arg(sizeText(before), sizeText(after))
                             .arg(before > 0 ? 100 * after / before : 100.0, 0, 'f', 1)
                             .arg(resized)
                             .arg(m_preview.modules.size()));
    refreshGrid();
    if (m_selected >= 0) selectModule(m_selected); // the cut line follows
}

void InspectorWindow::onCellClicked(int row, int column) {
    for (std::size_t i = 0; i < m_rowOf.size(); ++i)
        if (m_rowOf[i] == row && m_columnOf[i] == column) return selectModule(int(i));
}

void InspectorWindow::selectModule(int index) {
    if (!m_report || index < 0 || std::size_t(index) >= m_report->modules.size()) return;
    const lora::ModuleReport& m = m_report->modules[std::size_t(index)];
    const bool changed = index != m_selected;
    m_selected = index;
    const int cut = std::size_t(index) < m_preview.modules.size() &&
                            m_preview.modules[std::size_t(index)].resized
                        ? m_preview.modules[std::size_t(index)].newRank
                        : 0;
    m_spectrum->setSpectrum(QString::fromStdString(lora::moduleCell(m.module.name).column),
                            m.spectrum.singularValues, cut);
    m_health->setText(healthText());
    m_grid->setSelected(m_rowOf[std::size_t(index)], m_columnOf[std::size_t(index)]);
    if (changed) m_table->selectModule(index);
}

QString InspectorWindow::healthText() const {
    if (!m_report || m_selected < 0) return {};
    const lora::ModuleReport& m = m_report->modules[std::size_t(m_selected)];
    QString text =
        QStringLiteral("<b>%1</b>: %2")
            .arg(QString::fromStdString(m.module.name).toHtmlEscaped(),
                 QString::fromStdString(lora::moduleHealth(m.spectrum, m.module.rank).text)
                     .toHtmlEscaped());
    if (!m.module.note.empty())
        text += QStringLiteral(" — ") + QString::fromStdString(m.module.note).toHtmlEscaped();
    return text;
}

void InspectorWindow::compareWith(const QString& path) {
    if (!m_report) return showError(tr("open a file before comparing"));
    auto result = std::make_shared<std::vector<std::optional<lora::ModuleComparison>>>();
    m_pendingComparison = result;
    m_comparePath = path;
    startProgress(tr("comparing with %1…").arg(path));
    const std::string mine = m_path.toStdString(), other = path.toStdString();
    m_compare->start([result, mine, other](std::stop_token) {
        *result = lora::compareFiles(lora::readLoraFile(mine), lora::readLoraFile(other));
    });
}

void InspectorWindow::exportTo(const QString& path) {
    if (!m_report) return showError(tr("open a file before exporting"));
    m_exportPath = path;
    startProgress(tr("writing %1…").arg(path));
    const std::string in = m_path.toStdString(), out = path.toStdString();
    const lora::ResizeRule rule = m_resize->rule();
    m_export->start([in, out, rule](std::stop_token) { lora::resizeLoraFile(in, out, rule, {}); });
}

void InspectorWindow::chooseFile() {
    // A PEFT folder is chosen by its adapter_model.safetensors (or adapter_config.json).
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Inspect LoRA file"), {},
        tr("LoRA files (*.safetensors adapter_config.json);;All files (*)"));
    if (file.isEmpty()) return;
    open(QFileInfo(file).fileName() == QLatin1String("adapter_config.json")
             ? QFileInfo(file).absolutePath()
             : file);
}

void InspectorWindow::chooseComparison() {
    const QString file = QFileDialog::getOpenFileName(
        this, tr("Compare with LoRA file"), {},
        tr("LoRA files (*.safetensors adapter_config.json);;All files (*)"));
    if (file.isEmpty()) return;
    compareWith(QFileInfo(file).fileName() == QLatin1String("adapter_config.json")
                    ? QFileInfo(file).absolutePath()
                    : file);
}

void InspectorWindow::chooseExport() {
    if (!m_report) return;
    const bool folder = QFileInfo(m_path).isDir();
    const QString out = QFileDialog::getSaveFileName(
        this, folder ? tr("Export resized PEFT folder") : tr("Export resized LoRA file"), {},
        folder ? QString() : tr("safetensors (*.safetensors)"));
    if (!out.isEmpty()) exportTo(out);
}

bool InspectorWindow::isBusy() const {
    return m_load->isRunning() || m_compare->isRunning() || m_export->isRunning();
}

void InspectorWindow::closeEvent(QCloseEvent* event) {
    m_load->stop(); // a read in progress stops at its next module
    m_compare->stop();
    QWidget::closeEvent(event);
}
