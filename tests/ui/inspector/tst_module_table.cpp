// ModuleTable: one row per module with its figures; sorting by a numeric column sorts by
// value and moduleAt still names each row's module; the preview and comparison columns land
// on the right modules whatever the order; selecting a module selects its row.
#include "inspector/module_table.h"

#include <QSignalSpy>
#include <QtTest>

namespace {

lora::LoraReport report() {
    lora::LoraReport r;
    const double norms[] = {2.0, 10.0, 3.0};
    for (int i = 0; i < 3; ++i) {
        lora::ModuleReport m;
        m.module.name = "layers." + std::to_string(i) + ".q_proj";
        m.module.rank = 4 + i;
        m.module.shape = {8, 6};
        m.spectrum.available = true;
        m.spectrum.singularValues = {norms[i]};
        m.spectrum.deltaNorm = norms[i];
        m.spectrum.effectiveRank = 1;
        r.modules.push_back(m);
    }
    return r;
}

} // namespace

class TestModuleTable : public QObject {
    Q_OBJECT
private slots:
    void rowsSortAndColumns() {
        ModuleTable t;
        t.setReport(report());
        QCOMPARE(t.rowCount(), 3);
        QCOMPARE(t.item(0, ModuleTable::Shape)->text(), QString("8×6"));
        t.sortItems(ModuleTable::Norm, Qt::DescendingOrder);
        QCOMPARE(t.moduleAt(0), 1); // 10 before 3 before 2: numbers, not text
        QCOMPARE(t.moduleAt(1), 2);
        QCOMPARE(t.moduleAt(2), 0);

        lora::ResizePreview p;
        p.modules = {{4, 1, 0.5, true}, {5, 2, 0.75, true}, {6, 6, 1.0, false}};
        t.setPreview(p);
        for (int row = 0; row < 3; ++row) {
            const auto& m = p.modules[std::size_t(t.moduleAt(row))];
            QCOMPARE(t.item(row, ModuleTable::NewRank)->data(Qt::DisplayRole).toInt(), m.newRank);
            QCOMPARE(t.item(row, ModuleTable::FroKept)->data(Qt::DisplayRole).toDouble(),
                     m.froRetained);
        }
        QVERIFY(t.isColumnHidden(ModuleTable::Cosine));
        t.setComparison(
            {ModuleTable::Similarity{0.5, 0.25}, std::nullopt, ModuleTable::Similarity{1, 1}});
        QVERIFY(!t.isColumnHidden(ModuleTable::Cosine));
        for (int row = 0; row < 3; ++row)
            if (t.moduleAt(row) == 1)
                QCOMPARE(t.item(row, ModuleTable::Cosine)->text(), QString("—"));
            else if (t.moduleAt(row) == 0)
                QCOMPARE(t.item(row, ModuleTable::Phi)->data(Qt::DisplayRole).toDouble(), 0.25);

        QSignalSpy selected(&t, &ModuleTable::moduleSelected);
        t.selectModule(2);
        QCOMPARE(t.moduleAt(t.currentRow()), 2);
        QCOMPARE(selected.count(), 1);
        QCOMPARE(selected.front().front().toInt(), 2);
    }
};

QTEST_MAIN(TestModuleTable)
#include "tst_module_table.moc"
