// SubspaceTab: an adapter analysed against itself has φ(i, i) = 1 and the same
// amplification in both columns; a normal run at two small ranks on the embedded 7-vs-8 task
// fills an [r1, r2] grid in [0, 1] and the amplification table; errors are one line.
#include "data/idx.h"
#include "nn/adapter_weights.h"
#include "tabs/subspace/subspace_tab.h"
#include "widgets/similarity_grid_widget.h"

#include "seed_base.h"
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>

#include <QtTest>

class TestSubspaceTab : public QObject {
    Q_OBJECT
private:
    ModelPtr m_base;
    DataPtr m_data;

private slots:
    void initTestCase() {
        m_data = std::make_shared<lora::SplitData>(lora::loadEmbeddedMnist());
        m_base = std::make_shared<lora::Mlp>(lora::test::trainedSeedBase());
    }

    void adapterWithItself_data() {
        QTest::addColumn<int>("rank");
        QTest::newRow("r 1") << 1;
        QTest::newRow("r 8") << 8;
        QTest::newRow("r 64") << 64;
    }
    void adapterWithItself() {
        QFETCH(int, rank);
        lora::Mlp model = *m_base;
        lora::Rng rng(5);
        model.attachLora({{rank, 2.0f}, {"fc1"}}, rng);
        model.adapter(0)->B.setRandom(); // a non-zero ΔW for the amplification table
        const lora::AdapterWeights adapter = lora::extractAdapter(model);
        SubspaceTab panel;
        panel.setBase(m_base);
        QSignalSpy finished(&panel, &SubspaceTab::finished);
        panel.analyse(adapter, adapter);
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        const Eigen::MatrixXd& phi = panel.phi();
        QCOMPARE(int(phi.rows()), rank);
        QCOMPARE(int(phi.cols()), rank);
        for (int i = 0; i < rank; ++i) QVERIFY(std::abs(phi(i, i) - 1.0) < 1e-9);
        const auto& amp = panel.amplifications();
        QCOMPARE(amp[0].factor, amp[1].factor);
        QCOMPARE(amp[0].rank, rank);
        QVERIFY(amp[0].factor > 0);
    }

    void twoRanksTrained() {
        SubspaceTab panel;
        panel.resize(1000, 700);
        panel.setBase(m_base);
        panel.setData(m_data);
        panel.setTask({7, 8});
        panel.setAlpha(8.0f);
        lora::TrainOptions options;
        options.maxSteps = 60;
        panel.setTrainOptions(options);
        panel.setRanks(8, 64);
        QSignalSpy finished(&panel, &SubspaceTab::finished);
        QSignalSpy errors(&panel, &SubspaceTab::errorOccurred);
        QTest::mouseClick(panel.findChild<QPushButton*>("trainButton"), Qt::LeftButton);
        QVERIFY(panel.isRunning());
        QVERIFY(finished.wait(120000));
        QCOMPARE(errors.count(), 0);
        const Eigen::MatrixXd& phi = panel.phi();
        QCOMPARE(int(phi.rows()), 8);
        QCOMPARE(int(phi.cols()), 64);
        QVERIFY(phi.minCoeff() >= -1e-9 && phi.maxCoeff() <= 1.0 + 1e-9);
        QCOMPARE(panel.findChild<SimilarityGridWidget*>("phiGrid")->grid(), phi);
        qInfo("φ(1,1) %.3f, φ(8,8) %.3f, φ(1,64) %.3f; amplification r8 %.2f, r64 %.2f", phi(0, 0),
              phi(7, 7), phi(0, 63), panel.amplifications()[0].factor,
              panel.amplifications()[1].factor);
        auto* table = panel.findChild<QTableWidget*>("amplificationTable");
        QCOMPARE(table->rowCount(), 6);
        for (int row = 0; row < 6; ++row)
            for (int c = 0; c < 2; ++c)
                QVERIFY(table->item(row, c) && !table->item(row, c)->text().isEmpty());
        QTemporaryDir shots; // the finished panel renders
        QVERIFY(panel.grab().save(shots.filePath("subspace.png")));
    }

    void errorsAreOneLine() {
        SubspaceTab panel;
        QSignalSpy errors(&panel, &SubspaceTab::errorOccurred);
        panel.train();
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), QString("train a base model first"));
        panel.setBase(m_base);
        lora::Mlp model = *m_base;
        lora::Rng rng(5);
        model.attachLora({{2, 2.0f}, {"fc2"}}, rng);
        panel.analyse(lora::extractAdapter(model), lora::extractAdapter(model));
        QVERIFY(errors.wait(30000));
        QCOMPARE(errors.at(1).at(0).toString(), QString("both adapters must target fc1"));
    }
};

QTEST_MAIN(TestSubspaceTab)
#include "tst_subspace_tab.moc"
