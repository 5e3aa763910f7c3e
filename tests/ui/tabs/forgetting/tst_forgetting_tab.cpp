// ForgettingTab on the embedded digits (seed 000's tasks): a base trained here on 3-vs-4,
// then Run with 2 epochs. The charts get one point per epoch and run, LoRA-off's old-task
// accuracy equals the base's exactly, the full fine-tune forgets ≥ 10 points, and the
// low-rank read-out names the energy, norms and accuracies. Missing inputs and Stop work.
#include "data/idx.h"
#include "tabs/forgetting/forgetting_tab.h"
#include "time_scale.h"
#include "widgets/chart_view.h"

#include "seed_base.h"
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <QtTest>

namespace {

int pointsIn(const ForgettingTab& panel, const char* chart, const QString& series) {
    for (QAbstractSeries* s : panel.findChild<ChartView*>(chart)->chart()->series())
        if (s->name() == series) return int(static_cast<QXYSeries*>(s)->count());
    return -1;
}

} // namespace

class TestForgettingTab : public QObject {
    Q_OBJECT
private:
    ModelPtr m_base;
    DataPtr m_data;

private slots:
    void initTestCase() {
        m_data = std::make_shared<lora::SplitData>(lora::loadEmbeddedMnist());
        m_base = std::make_shared<lora::Mlp>(lora::test::trainedSeedBase());
    }

    void runShowsForgetting() {
        ForgettingTab panel;
        panel.resize(1100, 800);
        panel.setBase(m_base);
        panel.setData(m_data);
        panel.setTasks({3, 4}, {7, 8});
        panel.setLoraSettings(lora::LoraConfig({4, 1.0f}));
        lora::TrainOptions options;
        options.epochs = 2;
        options.seed = 1;
        panel.setTrainOptions(options);
        QSignalSpy finished(&panel, &ForgettingTab::finished);
        QSignalSpy errors(&panel, &ForgettingTab::errorOccurred);
        QTest::mouseClick(panel.findChild<QPushButton*>("runButton"), Qt::LeftButton);
        QVERIFY(panel.isRunning());
        QVERIFY(!panel.findChild<QPushButton*>("runButton")->isEnabled());
        QVERIFY(finished.wait(120000));
        QCOMPARE(errors.count(), 0);
        QCOMPARE(finished.at(0).at(0).toBool(), false);

        const auto result = panel.result();
        QVERIFY(result);
        QCOMPARE(result->series.size(), std::size_t(3)); // base + 2 epochs
        for (const char* name : {"full fine-tune", "LoRA"})
            QCOMPARE(pointsIn(panel, "newTaskChart", name), 3);
        for (const char* name : {"full fine-tune", "LoRA on", "LoRA off"})
            QCOMPARE(pointsIn(panel, "oldTaskChart", name), 3);
        QCOMPARE(pointsIn(panel, "oldTaskChart", "base"), 2); // a dashed line end to end

        const lora::ForgettingPoint& last = result->series.back();
        for (const auto& p : result->series) QCOMPARE(p.loraOffOld, result->baseOld); // exactly
        QVERIFY2(last.fullOld <= result->baseOld - 10.0f,
                 qPrintable(QString("base %1, full %2").arg(result->baseOld).arg(last.fullOld)));
        QVERIFY(last.fullNew > 90.0f && last.loraNew > 90.0f);

        auto* combo = panel.findChild<QComboBox*>("layerCombo");
        QCOMPARE(combo->count(), 2);
        QCOMPARE(combo->currentText(), QString("fc1"));
        const QString text = panel.readout();
        QVERIFY2(text.contains("top-4 energy") && text.contains("‖ΔW_full‖") &&
                     text.contains("rank-4 LoRA ‖ΔW‖") && text.contains("accuracy full"),
                 qPrintable(text));
        qInfo("%s", qPrintable(text));
        const auto* spectrum = panel.findChild<ChartView*>("spectrumChart")->chart();
        QCOMPARE(static_cast<QXYSeries*>(spectrum->series().at(0))->count(), 4); // top r
        QTemporaryDir shots; // the finished panel renders (looked at by eye while writing it)
        QVERIFY(panel.grab().save(shots.filePath("forgetting.png")));
        combo->setCurrentIndex(1);
        QVERIFY(panel.readout().startsWith("fc2 (2 singular values"));
        QVERIFY(panel.findChild<QPushButton*>("runButton")->isEnabled());
    }

    void missingInputsAreReported_data() {
        QTest::addColumn<bool>("withBase");
        QTest::addColumn<QString>("message");
        QTest::newRow("no base") << false << "train a base model first";
        QTest::newRow("no data") << true << "no dataset loaded";
    }
    void missingInputsAreReported() {
        QFETCH(bool, withBase);
        QFETCH(QString, message);
        ForgettingTab panel;
        if (withBase) panel.setBase(m_base);
        QSignalSpy errors(&panel, &ForgettingTab::errorOccurred);
        panel.run();
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), message);
        QVERIFY(panel.findChild<QLabel*>("statusLabel")->text().contains(message));
    }

    void stopEndsTheRun() {
        ForgettingTab panel;
        panel.setBase(m_base);
        panel.setData(m_data);
        lora::TrainOptions options;
        options.epochs = 50;
        panel.setTrainOptions(options);
        QSignalSpy finished(&panel, &ForgettingTab::finished);
        panel.run();
        QTest::mouseClick(panel.findChild<QPushButton*>("stopButton"), Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toBool(), true);
        QVERIFY(panel.result()->stopped);
    }

    void destroyedWhileRunning() {
        auto* panel = new ForgettingTab;
        panel->setBase(m_base);
        panel->setData(m_data);
        lora::TrainOptions options;
        options.epochs = 50;
        panel->setTrainOptions(options);
        panel->run();
        QTest::qWait(20);
        QElapsedTimer timer;
        timer.start();
        delete panel; // stops and joins the job: no post may reach a deleted panel
        QVERIFY2(timer.elapsed() < 2000 * lora::test::kTimeScale,
                 qPrintable(QString::number(timer.elapsed())));
        QTest::qWait(50); // any stray queued call would run (and crash) here
    }

    void newRunReplacesTheOld() {
        ForgettingTab panel;
        panel.setBase(m_base);
        panel.setData(m_data);
        lora::TrainOptions options;
        options.epochs = 1;
        options.maxSteps = 5;
        panel.setTrainOptions(options);
        QSignalSpy finished(&panel, &ForgettingTab::finished);
        panel.run();
        panel.run(); // the first is stopped and its outcome dropped
        QVERIFY(finished.wait(60000));
        QTest::qWait(200);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(panel.result()->series.size(), std::size_t(2));
    }
};

QTEST_MAIN(TestForgettingTab)
#include "tst_forgetting_tab.moc"
