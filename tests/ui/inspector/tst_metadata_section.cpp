// MetadataSection: every key listed with its value; kohya's ss_tag_frequency summed over its
// datasets into the top tags, drawn as horizontal bars with the most frequent on top; no
// chart for a file without tags or with text that is not that JSON.
#include "inspector/metadata_section.h"
#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QHorizontalBarSeries>
#include <QTableWidget>
#include <QtTest>

class TestMetadataSection : public QObject {
    Q_OBJECT
private slots:
    void topTags_data() {
        QTest::addColumn<QString>("json");
        QTest::addColumn<int>("limit");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("summed over datasets")
            << R"({"a": {"cat": 3, "dog": 5}, "b": {"cat": 4, "owl": 1}})" << 20
            << QStringList{"cat=7", "dog=5", "owl=1"};
        QTest::newRow("limited") << R"({"a": {"x": 1, "y": 2, "z": 3}})" << 2
                                 << QStringList{"z=3", "y=2"};
        QTest::newRow("not JSON") << "cat, dog" << 20 << QStringList{};
        QTest::newRow("not counts") << R"({"a": ["cat"]})" << 20 << QStringList{};
    }
    void topTags() {
        QFETCH(QString, json);
        QFETCH(int, limit);
        QFETCH(QStringList, expected);
        QStringList got;
        for (const auto& [tag, count] : MetadataSection::topTags(json.toStdString(), limit))
            got << QString::fromStdString(tag) + "=" + QString::number(count);
        QCOMPARE(got, expected);
    }

    void tableAndBars() {
        MetadataSection s;
        s.setMetadata(
            {{"ss_network_dim", "4"}, {"ss_tag_frequency", R"({"set": {"cat": 12, "dog": 3}})"}});
        QCOMPARE(s.table()->rowCount(), 2);
        QCOMPARE(s.table()->item(0, 0)->text(), QString("ss_network_dim"));
        QCOMPARE(s.table()->item(0, 1)->text(), QString("4"));
        QVERIFY(!s.tagChart()->isHidden());
        const auto series = s.tagChart()->chart()->series();
        QCOMPARE(series.size(), 1);
        auto* bars = qobject_cast<QHorizontalBarSeries*>(series.front());
        QVERIFY(bars);
        QCOMPARE(bars->barSets().front()->at(0), 3.0); // bottom: the least frequent
        QCOMPARE(bars->barSets().front()->at(1), 12.0);
        auto* axis =
            qobject_cast<QBarCategoryAxis*>(s.tagChart()->chart()->axes(Qt::Vertical).front());
        QCOMPARE(axis->categories(), (QStringList{"dog", "cat"}));

        s.setMetadata({{"format", "pt"}}); // no tags: the old bars go, the chart hides
        QCOMPARE(s.table()->rowCount(), 1);
        QVERIFY(s.tagChart()->isHidden());
        QVERIFY(s.tagChart()->chart()->series().isEmpty());
    }
};

QTEST_MAIN(TestMetadataSection)
#include "tst_metadata_section.moc"
