// VariantsTab on the embedded 7-vs-8 task from a 3-vs-4 base trained here: the checkbox
// grid names the variants, Train overlays one loss series per variant (≤ 500 points) with a
// table row each, rsLoRA's scale is α/√r, a PiSSA rank above fc2's width shows the core's
// one-line message without training, the rank sweep plots both rules, and Stop ends a run.
#include "data/idx.h"
#include "tabs/variants/variant_picker_section.h"
#include "tabs/variants/variants_tab.h"
#include "widgets/chart_view.h"

#include "seed_base.h"
#include <QCheckBox>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>

#include <QtTest>

class TestVariantsTab : public QObject {
    Q_OBJECT
private:
    ModelPtr m_base;
    DataPtr m_data;

    void feed(VariantsTab& panel, long steps, std::vector<std::string> targets = {"fc1"}) {
        panel.setBase(m_base);
        panel.setData(m_data);
        panel.setTask({7, 8});
        panel.setLoraSettings(4, 8.0f, targets);
        lora::TrainOptions options;
        options.maxSteps = steps;
        options.seed = 3;
        panel.setTrainOptions(options);
    }

private slots:
    void initTestCase() {
        m_data = std::make_shared<lora::SplitData>(lora::loadEmbeddedMnist());
        m_base = std::make_shared<lora::Mlp>(lora::test::trainedSeedBase());
    }

    void checkboxesAreVariants() {
        VariantsTab panel;
        QCOMPARE(panel.picker()->selectedVariants(),
                 (QStringList{"kaiming", "kaiming+rslora", "gaussian", "pissa"}));
        panel.findChild<QCheckBox*>("check_pissa+rslora")->setChecked(true);
        panel.findChild<QCheckBox*>("check_gaussian")->setChecked(false);
        QCOMPARE(panel.picker()->selectedVariants(),
                 (QStringList{"kaiming", "kaiming+rslora", "pissa", "pissa+rslora"}));
    }

    void trainOverlaysCurves_data() {
        QTest::addColumn<QStringList>("variants");
        QTest::newRow("two") << QStringList{"kaiming", "kaiming+rslora"};
        QTest::newRow("three inits") << QStringList{"kaiming", "gaussian", "pissa"};
    }
    void trainOverlaysCurves() {
        QFETCH(QStringList, variants);
        VariantsTab panel;
        panel.resize(1100, 800);
        feed(panel, 600);
        panel.picker()->setSelectedVariants(variants);
        QSignalSpy finished(&panel, &VariantsTab::finished);
        QSignalSpy errors(&panel, &VariantsTab::errorOccurred);
        QTest::mouseClick(panel.findChild<QPushButton*>("trainButton"), Qt::LeftButton);
        QVERIFY(finished.wait(120000));
        QCOMPARE(errors.count(), 0);
        QVERIFY2(int(panel.runs().size()) == int(variants.size()), qPrintable(panel.status()));
        const QList<QAbstractSeries*> series =
            panel.findChild<ChartView*>("lossChart")->chart()->series();
        QCOMPARE(series.size(), variants.size());
        for (QAbstractSeries* s : series) {
            const int n = int(static_cast<QXYSeries*>(s)->count());
            QVERIFY2(n > 100 && n <= 500, qPrintable(QString::number(n)));
        }
        auto* table = panel.findChild<QTableWidget*>("variantsTable");
        QCOMPARE(table->rowCount(), int(variants.size()));
        for (int row = 0; row < table->rowCount(); ++row) {
            const lora::VariantRun& run = panel.runs()[row];
            QCOMPARE(table->item(row, 0)->text(), QString::fromStdString(run.variant.name()));
            const float expected = run.variant.spec.rslora ? 8.0f / 2.0f : 8.0f / 4.0f;
            QCOMPARE(table->item(row, 1)->text().toFloat(), expected); // α/√r vs α/r at r 4
            QVERIFY(run.accuracy > 80.0f);
            QCOMPARE(table->item(row, 4)->text().toULongLong(), qulonglong(run.params));
        }
        QTemporaryDir shots; // the finished panel renders
        QVERIFY(panel.grab().save(shots.filePath("variants.png")));
    }

    void pissaRankErrorIsShown() {
        VariantsTab panel;
        feed(panel, 10, {}); // every layer: fc2 has 2 outputs
        panel.picker()->setSelectedVariants({"kaiming", "pissa"});
        QSignalSpy finished(&panel, &VariantsTab::finished);
        QSignalSpy errors(&panel, &VariantsTab::errorOccurred);
        panel.train();
        QVERIFY(errors.wait(30000));
        const QString message = "PiSSA needs a rank of at most min(in, out) = 2 for fc2, not 4";
        QCOMPARE(errors.at(0).at(0).toString(), message);
        QCOMPARE(panel.status(), "Error: " + message);
        QCOMPARE(finished.count(), 0);
        QVERIFY(panel.runs().empty());
        QVERIFY(panel.findChild<QPushButton*>("trainButton")->isEnabled());
    }

    void rankSweepShowsWhyRsLora() {
        VariantsTab panel;
        feed(panel, 10);
        QSignalSpy finished(&panel, &VariantsTab::finished);
        QTest::mouseClick(panel.findChild<QPushButton*>("sweepButton"), Qt::LeftButton);
        QVERIFY(finished.wait(180000));
        const auto& points = panel.sweepPoints();
        QCOMPARE(int(points.size()), 7); // 1, 2, 4, …, 64
        for (const auto& p : points) {
            QCOMPARE(p.scale, 8.0 / p.rank);
            QCOMPARE(float(p.scaleRs), float(8.0 / std::sqrt(double(p.rank))));
        }
        // α/r: the update reached at r 64 is below r 1's; under α/√r it grows (core's bounds).
        qInfo("‖ΔW‖ α/r %.3f → %.3f, α/√r %.3f → %.3f", points.front().norm, points.back().norm,
              points.front().normRs, points.back().normRs);
        QCOMPARE(points.front().norm, points.front().normRs); // at r = 1 the rules coincide
        QVERIFY(points.back().norm < 0.9 * points.front().norm);
        QVERIFY(points.back().normRs > 1.1 * points.front().normRs);
        const auto series = panel.findChild<ChartView*>("sweepChart")->chart()->series();
        QCOMPARE(series.size(), 4);
        for (QAbstractSeries* s : series) QCOMPARE(static_cast<QXYSeries*>(s)->count(), 7);
    }

    // The caption says what the points show: a flat α/r curve "holds", whatever a textbook
    // says (the old caption claimed "shrinks" over a chart that showed it flat).
    void sweepCaptionFollowsThePoints_data() {
        QTest::addColumn<double>("normLast");
        QTest::addColumn<double>("normRsLast");
        QTest::addColumn<QString>("expected");
        QTest::newRow("flat α/r") << 20.0 << 50.0
                                  << "under α/r holds (20 → 20, ×1.00); under α/√r grows (20 → "
                                     "50, ×2.50). At r 64 α/√r's update is 2.50× α/r's.";
        QTest::newRow("shrinking α/r") << 5.0 << 20.0
                                       << "under α/r shrinks (20 → 5, ×0.25); under α/√r holds "
                                          "(20 → 20, ×1.00). At r 64 α/√r's update is 4.00× "
                                          "α/r's.";
    }
    void sweepCaptionFollowsThePoints() {
        QFETCH(double, normLast);
        QFETCH(double, normRsLast);
        QFETCH(QString, expected);
        lora::ScalePoint first, last;
        first.rank = 1;
        first.norm = first.normRs = 20.0;
        last.rank = 64;
        last.norm = normLast;
        last.normRs = normRsLast;
        VariantsTab panel;
        panel.showResults({}, {first, last});
        QVERIFY2(panel.status().endsWith("From r 1 to r 64, ‖ΔW‖ " + expected),
                 qPrintable(panel.status()));
    }

    void stopEndsTraining() {
        VariantsTab panel;
        feed(panel, 100000);
        QSignalSpy finished(&panel, &VariantsTab::finished);
        panel.train();
        QTest::qWait(50);
        QTest::mouseClick(panel.findChild<QPushButton*>("stopButton"), Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QVERIFY(panel.status().startsWith("Stopped"));
        QVERIFY(panel.findChild<QPushButton*>("trainButton")->isEnabled());
    }
};

QTEST_MAIN(TestVariantsTab)
#include "tst_variants_tab.moc"
