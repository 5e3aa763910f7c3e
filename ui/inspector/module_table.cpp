#include "inspector/module_table.h"

#include "linalg/module_health.h"

#include <QHeaderView>

namespace {

QTableWidgetItem* number(double v, int decimals = 4) {
    auto* item = new QTableWidgetItem;
    item->setData(Qt::ToolTipRole, QString::number(v, 'g', 8));
    // A double, so that sorting is numeric; rounded to what a column has room for.
    item->setData(Qt::DisplayRole, QString::number(v, 'g', decimals).toDouble());
    return item;
}

} // namespace

ModuleTable::ModuleTable(QWidget* parent) : QTableWidget(parent) {
    setColumnCount(ColumnCount);
    setHorizontalHeaderLabels({tr("module"), tr("type"), tr("shape"), tr("r"), tr("α"), tr("scale"),
                               tr("‖ΔW‖"), tr("eff. rank"), tr("health"), tr("r′"), tr("fro kept"),
                               tr("cos ΔW"), tr("φ")});
    setEditTriggers(NoEditTriggers);
    setSelectionBehavior(SelectRows);
    setSelectionMode(SingleSelection);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 4);
    horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    horizontalHeader()->setStretchLastSection(true);
    setSortingEnabled(true);
    connect(this, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (row >= 0) emit moduleSelected(moduleAt(row));
    });
}

void ModuleTable::setReport(const lora::LoraReport& report) {
    setSortingEnabled(false);
    clearContents();
    setRowCount(int(report.modules.size()));
    for (int i = 0; i < rowCount(); ++i) {
        const lora::ModuleReport& m = report.modules[std::size_t(i)];
        auto* name = new QTableWidgetItem(QString::fromStdString(m.module.name));
        name->setData(Qt::UserRole, i);
        setItem(i, Name, name);
        setItem(i, Type, new QTableWidgetItem(lora::toString(m.module.kind)));
        QStringList shape;
        for (auto d : m.module.shape) shape << QString::number(d);
        setItem(i, Shape, new QTableWidgetItem(shape.join(QStringLiteral("×"))));
        setItem(i, Rank, number(m.module.rank));
        setItem(i, Alpha, number(m.module.alpha));
        setItem(i, Scale, number(m.module.scale));
        setItem(i, Norm, number(m.spectrum.deltaNorm));
        setItem(i, EffRank, number(m.spectrum.effectiveRank, 3));
        const lora::ModuleHealth h = lora::moduleHealth(m.spectrum, m.module.rank);
        auto* health = new QTableWidgetItem(lora::toString(h.verdict));
        health->setToolTip(QString::fromStdString(h.text));
        setItem(i, Health, health);
    }
    setColumnHidden(Cosine, true);
    setColumnHidden(Phi, true);
    resizeColumnsToContents();
    setColumnWidth(Name, std::min(columnWidth(Name), 380));
    setSortingEnabled(true);
}

int ModuleTable::moduleAt(int row) const {
    const QTableWidgetItem* name = item(row, Name);
    return name ? name->data(Qt::UserRole).toInt() : -1;
}

void ModuleTable::setPreview(const lora::ResizePreview& preview) {
    setSortingEnabled(false);
    for (int row = 0; row < rowCount(); ++row) {
        const int index = moduleAt(row);
        if (index < 0 || std::size_t(index) >= preview.modules.size()) continue;
        const lora::ModulePreview& p = preview.modules[std::size_t(index)];
        setItem(row, NewRank, number(p.newRank));
        setItem(row, FroKept, number(p.froRetained, 4));
    }
    setSortingEnabled(true);
}

void ModuleTable::setComparison(const std::vector<std::optional<Similarity>>& values) {
    setSortingEnabled(false);
    for (int row = 0; row < rowCount(); ++row) {
        const int index = moduleAt(row);
        if (index < 0 || std::size_t(index) >= values.size()) continue;
        const auto& v = values[std::size_t(index)];
        setItem(row, Cosine, v ? number(v->cosine, 3) : new QTableWidgetItem(tr("—")));
        setItem(row, Phi, v ? number(v->phi, 3) : new QTableWidgetItem(tr("—")));
    }
    setColumnHidden(Cosine, false);
    setColumnHidden(Phi, false);
    setSortingEnabled(true);
}

void ModuleTable::selectModule(int index) {
    for (int row = 0; row < rowCount(); ++row)
        if (moduleAt(row) == index) {
            setCurrentCell(row, Name);
            scrollToItem(item(row, Name));
            return;
        }
}
