#include "docks/adapters_dock.h"

#include "data/classes.h"
#include "docks/combine_dialog.h"
#include "io/adapter_dir.h"
#include "session/adapter_manager.h"

#include <QFileDialog>
#include <QGridLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace {

// 2.4e-7 rather than 2.4e-07: the figure is read, not parsed.
QString sci(double v) {
    if (v == 0) return QStringLiteral("0");
    QString s = QString::number(v, 'e', 1);
    s.replace(QRegularExpression(QStringLiteral("e([+-])0*(\\d)")), QStringLiteral("e\\1\\2"));
    return s.replace(QStringLiteral("e+"), QStringLiteral("e"));
}

// "4", or "1–4" when rank_pattern gives layers different ranks.
template <typename Get> QString range(const lora::AdapterWeights& w, Get get) {
    if (w.layers.empty()) return QString::number(get(w.spec));
    auto [lo, hi] = std::minmax_element(w.layers.begin(), w.layers.end(), [&](auto& a, auto& b) {
        return get(a.spec) < get(b.spec);
    });
    const QString low = QString::number(get(lo->spec));
    return get(lo->spec) == get(hi->spec)
               ? low
               : low + QStringLiteral("–") + QString::number(get(hi->spec));
}

QTableWidgetItem* cell(const QString& text, bool editable = false) {
    auto* item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable |
                   (editable ? Qt::ItemIsEditable : Qt::NoItemFlags));
    return item;
}

} // namespace

AdaptersDock::AdaptersDock(AdapterManager* adapters, QWidget* parent)
    : QDockWidget(tr("Adapters"), parent), m_adapters(adapters), m_table(new QTableWidget),
      m_merge(new QPushButton(tr("Merge"))), m_unmerge(new QPushButton(tr("Unmerge"))),
      m_combine(new QPushButton(tr("Combine…"))), m_import(new QPushButton(tr("Import…"))),
      m_export(new QPushButton(tr("Export…"))), m_exportAll(new QPushButton(tr("Export all…"))),
      m_figure(new QLabel),
      m_remover([adapters](const QString& name) { return adapters->removeAdapter(name); }) {
    setObjectName("adaptersDock");
    m_table->setObjectName("adapterTable");
    m_table->setColumnCount(ColumnCount);
    m_table->setHorizontalHeaderLabels(
        {QString(), tr("Name"), tr("r"), tr("α"), tr("Classes"), tr("Accuracy"), tr("Size")});
    m_table->verticalHeader()->hide();
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_table->installEventFilter(this);
    m_table->setToolTip(
        tr("Click to activate · double-click or F2 to rename · Delete to remove (Edit → Undo "
           "brings it back)"));

    for (auto [button, name] : {std::pair{m_merge, "mergeButton"},
                                {m_unmerge, "unmergeButton"},
                                {m_combine, "combineButton"},
                                {m_import, "importButton"},
                                {m_export, "exportButton"},
                                {m_exportAll, "exportAllButton"}})
        button->setObjectName(name);
    m_merge->setToolTip(tr("Fold the active adapter into W (W += s·BA) and measure the change"));
    m_unmerge->setToolTip(tr("Take it out of W again and measure what float arithmetic left"));
    m_figure->setObjectName("mergeFigureLabel");
    m_figure->setText(figureHint());
    m_figure->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QGridLayout;
    buttons->addWidget(m_merge, 0, 0);
    buttons->addWidget(m_unmerge, 0, 1);
    buttons->addWidget(m_combine, 1, 0);
    buttons->addWidget(m_import, 1, 1);
    buttons->addWidget(m_export, 2, 0);
    buttons->addWidget(m_exportAll, 2, 1);
    buttons->setRowStretch(3, 1);
    auto* row = new QHBoxLayout;
    row->addWidget(m_table, 1);
    row->addLayout(buttons);
    auto* body = new QWidget;
    auto* layout = new QVBoxLayout(body);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addLayout(row, 1);
    layout->addWidget(m_figure); // one line across: the figures are read side by side
    setWidget(body);

    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int) { onClicked(row); });
    connect(m_table, &QTableWidget::itemChanged, this, &AdaptersDock::onItemChanged);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &AdaptersDock::updateButtons);
    connect(m_merge, &QPushButton::clicked, m_adapters, &AdapterManager::mergeActive);
    connect(m_unmerge, &QPushButton::clicked, m_adapters, &AdapterManager::unmergeActive);
    connect(m_combine, &QPushButton::clicked, this, &AdaptersDock::combine);
    connect(m_import, &QPushButton::clicked, this, &AdaptersDock::importAdapter);
    connect(m_export, &QPushButton::clicked, this, &AdaptersDock::exportSelected);
    connect(m_exportAll, &QPushButton::clicked, this, &AdaptersDock::exportAll);
    connect(m_adapters, &AdapterManager::adaptersChanged, this, &AdaptersDock::refresh);
    connect(m_adapters, &AdapterManager::mergeMeasured, this, &AdaptersDock::showMerge);
    connect(m_adapters, &AdapterManager::unmergeMeasured, this, &AdaptersDock::showUnmerge);
    refresh();
}

int AdaptersDock::rowOf(const QString& name) const {
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (nameAt(row) == name) return row;
    return -1;
}

QString AdaptersDock::figureText() const {
    return m_figure->text();
}

QString AdaptersDock::nameAt(int row) const {
    const QTableWidgetItem* item = m_table->item(row, NameColumn);
    return item ? item->data(Qt::UserRole).toString() : QString();
}

QString AdaptersDock::selectedName() const {
    const int row = m_table->currentRow();
    return row > 0 ? nameAt(row) : m_adapters->activeName();
}

void AdaptersDock::refresh() {
    m_refreshing = true;
    const lora::AdapterLibrary* lib = m_adapters->library();
    const QString active = m_adapters->activeName();
    if (m_figureLibrary && (lib != m_figureLibrary || active != m_figureAdapter)) {
        m_figure->setText(figureHint());
        m_figureLibrary = nullptr;
    }
    const int count = lib ? static_cast<int>(lib->entries().size()) : 0;
    m_table->setRowCount(1 + count);
    auto fill = [this](int row, const QString& name, const QString& shown, bool isActive) {
        m_table->setItem(row, NameColumn, cell(shown, !name.isEmpty()));
        m_table->item(row, NameColumn)->setData(Qt::UserRole, name);
        const QString state = !isActive                ? QString()
                              : m_adapters->isMerged() ? tr("● merged")
                                                       : tr("●");
        m_table->setItem(row, StateColumn, cell(state));
        QFont font = m_table->font();
        font.setBold(isActive);
        m_table->item(row, NameColumn)->setFont(font);
    };
    fill(0, QString(), tr("None (base only)"), active.isEmpty());
    for (int c = RankColumn; c < ColumnCount; ++c) m_table->setItem(0, c, cell(QString()));
    for (int i = 0; i < count; ++i) {
        const lora::AdapterEntry& e = lib->entries()[i];
        const QString name = QString::fromStdString(e.name);
        const int row = i + 1;
        fill(row, name, name, name == active);
        const lora::AdapterWeights& w = e.weights;
        m_table->setItem(row, RankColumn, cell(range(w, [](auto& s) { return s.rank; })));
        m_table->setItem(row, AlphaColumn,
                         cell(range(w, [](auto& s) { return s.alpha; }) +
                              (w.spec.rslora ? tr(" √") : QString())));
        m_table->setItem(row, ClassesColumn,
                         cell(e.info.classes.empty()
                                  ? tr("—")
                                  : QString::fromStdString(lora::formatClasses(e.info.classes))));
        m_table->setItem(row, AccuracyColumn,
                         cell(std::isfinite(e.info.testAccuracy)
                                  ? tr("%1 %").arg(e.info.testAccuracy, 0, 'f', 2)
                                  : tr("—")));
        const qint64 bytes = static_cast<qint64>(lora::adapterBytes(lib->base(), w, e.info));
        m_table->setItem(
            row, SizeColumn,
            cell(QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat)));
        QStringList targets;
        for (const std::string& t : e.targets(lib->base())) targets << QString::fromStdString(t);
        m_table->item(row, NameColumn)
            ->setToolTip(tr("targets %1 · %2 parameters%3")
                             .arg(targets.join(QStringLiteral(", ")))
                             .arg(w.paramCount())
                             .arg(e.source.empty()
                                      ? tr(" · trained here")
                                      : tr(" · from %1").arg(QString::fromStdString(e.source))));
    }
    for (int c = RankColumn; c < ColumnCount; ++c)
        for (int row = 0; row <= count; ++row)
            if (c != ClassesColumn) m_table->item(row, c)->setTextAlignment(Qt::AlignCenter);
    // The highlighted row is the active one: clicking activates, so the two never differ.
    m_table->setCurrentCell(rowOf(active), NameColumn);
    m_refreshing = false;
    updateButtons();
}

void AdaptersDock::onClicked(int row) {
    if (row >= 0) m_adapters->setActiveAdapter(nameAt(row));
}

void AdaptersDock::onItemChanged(QTableWidgetItem* item) {
    if (m_refreshing || item->column() != NameColumn) return;
    const QString from = item->data(Qt::UserRole).toString();
    const QString to = item->text().trimmed();
    if (from.isEmpty() || from == to) return;
    // Later, not inside the item's own change notification: refresh() replaces the items.
    // Refused or not, the list is redrawn from the library, so a refused name reverts.
    QMetaObject::invokeMethod(
        this,
        [this, from, to] {
            if (!m_adapters->renameAdapter(from, to)) refresh();
        },
        Qt::QueuedConnection);
}

bool AdaptersDock::eventFilter(QObject* watched, QEvent* event) {
    if (watched == m_table && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Delete &&
        m_table->hasFocus()) { // not while a name is being edited
        const int row = m_table->currentRow();
        if (row > 0) m_remover(nameAt(row));
        return true;
    }
    return QDockWidget::eventFilter(watched, event);
}

QString AdaptersDock::figureHint() {
    return tr("Merge folds the active adapter into W; the measured differences appear here.");
}

void AdaptersDock::showFigure(const QString& text) {
    m_figure->setText(text);
    m_figureLibrary = m_adapters->library();
    m_figureAdapter = m_adapters->activeName();
}

void AdaptersDock::showMerge(const lora::MergeReport& report) {
    showFigure(tr("merged: max |Δlogit| %1, accuracy %2 % → %3 %")
                   .arg(sci(report.maxLogitDiff))
                   .arg(report.accuracyUnmerged, 0, 'f', 2)
                   .arg(report.accuracyMerged, 0, 'f', 2));
}

void AdaptersDock::showUnmerge(double maxWeightError) {
    showFigure(tr("unmerged: max |W − W₀| %1").arg(sci(maxWeightError)));
}

void AdaptersDock::updateButtons() {
    const lora::AdapterLibrary* lib = m_adapters->library();
    const int count = lib ? static_cast<int>(lib->entries().size()) : 0;
    const bool merged = m_adapters->isMerged();
    m_merge->setEnabled(!m_adapters->activeName().isEmpty() && !merged);
    m_unmerge->setEnabled(merged);
    m_combine->setEnabled(count >= 2);
    m_import->setEnabled(lib != nullptr);
    m_export->setEnabled(!selectedName().isEmpty());
    m_exportAll->setEnabled(count > 0);
}

void AdaptersDock::combine() {
    auto* dialog = new CombineDialog(
        m_adapters->names(), [this](const CombineRequest& r) { return m_adapters->tryCombine(r); },
        this);
    if (const lora::AdapterLibrary* library = m_adapters->library()) {
        CombineInputs inputs{library->base().architecture(), {}};
        for (const lora::AdapterEntry& e : library->entries())
            inputs.adapters[QString::fromStdString(e.name)] = e.weights;
        dialog->setInputs(std::move(inputs));
    }
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open(); // non-blocking: training and tests keep running
}

void AdaptersDock::importAdapter() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Import a PEFT adapter folder (adapter_config.json, adapter_model.safetensors)"));
    if (!dir.isEmpty()) m_adapters->importAdapter(dir);
}

void AdaptersDock::exportSelected() {
    const QString name = selectedName();
    if (name.isEmpty()) return;
    QString stem = name;
    stem.replace(QRegularExpression(QStringLiteral("[\\s/\\\\:]")), QStringLiteral("_"));
    const QString dir =
        QFileDialog::getSaveFileName(this, tr("Export adapter '%1' (PEFT folder)").arg(name), stem);
    if (!dir.isEmpty()) m_adapters->exportAdapter(name, dir);
}

void AdaptersDock::exportAll() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Export every adapter into a folder (one sub-folder each)"));
    if (!dir.isEmpty()) m_adapters->exportAllAdapters(dir);
}
