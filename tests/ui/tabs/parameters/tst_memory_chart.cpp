// MemoryChart: the stacked bars hold the budget's bytes row for row, in the table's order
// (first row on top), in one binary unit chosen from the largest total; the Parameters tab
// draws the same seven rows its memory table lists, and follows a new configuration.
#include "linalg/parameter_budget.h"
#include "tabs/parameters/memory_chart.h"
#include "tabs/parameters/parameters_tab.h"

#include <QTableWidget>
#include <QtTest>

class TestMemoryChart : public QObject {
    Q_OBJECT
private slots:
    void barsHoldTheBudget_data() {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("unit");
        QTest::newRow("seed 000: 787 KiB at most") << "784-64-2"
                                                   << "KiB";
        QTest::newRow("RichBoyNet: 44 MiB at most") << "784-1000-2000-10"
                                                    << "MiB";
        QTest::newRow("three parameters: 48 B") << "2-1"
                                                << "B";
    }
    void barsHoldTheBudget() {
        QFETCH(QString, architecture);
        QFETCH(QString, unit);
        const lora::ParameterBudget budget =
            lora::computeBudget(lora::mlpShape(architecture.toStdString()), 4, 8.0f, {});
        MemoryChart chart;
        chart.setRows(budget.memory);
        QCOMPARE(chart.unit(), unit);
        QCOMPARE(chart.rowCount(), 7);
        QCOMPARE(chart.category(0), QString("full fp32"));
        QCOMPARE(chart.category(6), QString("qlora nf4+bf16"));
        for (int r = 0; r < 7; ++r) {
            const lora::MemoryRow& m = budget.memory[static_cast<std::size_t>(r)];
            const double parts[3] = {m.weightBytes, m.gradientBytes, m.optimizerBytes};
            for (int p = 0; p < 3; ++p)
                QVERIFY2(std::abs(chart.bytes(r, p) - parts[p]) <= 1e-9 * (1 + parts[p]),
                         qPrintable(QString("row %1 part %2").arg(r).arg(p)));
        }
    }

    void llamaIsInGiB() {
        MemoryChart chart;
        chart.setRows(lora::computeBudget(lora::presetShape("llama2-7b"), 8, 16.0f, {}).memory);
        QCOMPARE(chart.unit(), QString("GiB"));
        QVERIFY(std::abs(chart.bytes(0, 0) - 6738415616.0 * 4) < 1.0); // full fp32 weights
    }

    void parametersTabDrawsItsTable() {
        ParametersTab panel;
        panel.setConfiguration("784-64-2", 4, 1.0f, false, {"fc1", "fc2"});
        const auto* chart = panel.findChild<MemoryChart*>("memoryChart");
        const auto* table = panel.findChild<QTableWidget*>("memoryTable");
        QVERIFY(chart && table);
        QCOMPARE(chart->rowCount(), table->rowCount());
        for (int r = 0; r < table->rowCount(); ++r)
            QCOMPARE(chart->category(r), table->verticalHeaderItem(r)->text());
        QCOMPARE(chart->bytes(0, 0) + chart->bytes(0, 1) + chart->bytes(0, 2), 805920.0);
        const double loraGradients = chart->bytes(3, 1);
        panel.setConfiguration("784-64-2", 8, 1.0f, false, {"fc1", "fc2"}); // twice the rank
        QCOMPARE(chart->bytes(3, 1), 2 * loraGradients);
    }
};

QTEST_MAIN(TestMemoryChart)
#include "tst_memory_chart.moc"
