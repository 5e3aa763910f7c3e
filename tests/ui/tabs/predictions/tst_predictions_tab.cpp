// PredictionsTab against lora::evaluate on real models: a 784-64-2 base trained on 3-vs-4
// and a rank-4 LoRA fine-tune on 7-vs-8 (seed 000). The panel's accuracy must equal the
// core's exactly for base, LoRA on, LoRA off and the base task; the grid's red cells match
// the wrong predictions among the shown digits; stale evaluations are dropped; a model
// with the wrong number of outputs gets a message instead of an evaluation; a new model shows
// on the grid (a preview) before its full evaluation, with the last figures kept meanwhile.
#include "data/idx.h"
#include "tabs/predictions/predictions_tab.h"
#include "train/evaluate.h"
#include "train/trainer.h"
#include "util/rng.h"
#include "widgets/confusion_widget.h"
#include "widgets/digit_grid_widget.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

using namespace lora;

namespace {

const std::vector<int> kBaseClasses{3, 4}, kTargetClasses{7, 8};

float accuracyOf(const Mlp& model, const Dataset& data) {
    Mlp copy = model;
    return evaluate(copy, data).accuracy;
}

// Waits for the evaluation in flight, if any, to land.
bool settle(PredictionsTab& panel) {
    return QTest::qWaitFor([&] { return !panel.isEvaluating(); }, 30000);
}

} // namespace

class TestPredictionsTab : public QObject {
    Q_OBJECT
    DataPtr m_data;
    ModelPtr m_base, m_adapted, m_loraOff;
    Dataset m_targetTest, m_baseTest;

private slots:
    void initTestCase() {
        m_data = std::make_shared<const SplitData>(loadEmbeddedMnist());
        const Dataset baseTrain = filterClassesRemap(m_data->train, kBaseClasses);
        m_baseTest = filterClassesRemap(m_data->test, kBaseClasses);
        m_targetTest = filterClassesRemap(m_data->test, kTargetClasses);

        // As `lora-cli train --classes 3,4 --seed 0` does.
        Mlp base("784-64-2");
        Rng initRng(0);
        base.initDefault(initRng);
        TrainOptions options;
        options.epochs = 1;
        options.batchSize = 64;
        options.learningRate = 0.01f;
        options.seed = 0;
        Trainer(base, options).run(baseTrain, nullptr);
        m_base = std::make_shared<const Mlp>(base);

        Mlp adapted = base;
        LoraConfig config;
        config.spec.rank = 4;
        config.spec.alpha = 1.0f;
        Rng loraRng(0);
        adapted.attachLora(config, loraRng);
        options.epochs = 5;
        Trainer(adapted, options).run(filterClassesRemap(m_data->train, kTargetClasses), nullptr);
        m_adapted = std::make_shared<const Mlp>(adapted);
        Mlp off = adapted;
        off.setLoraEnabled(false);
        m_loraOff = std::make_shared<const Mlp>(off);

        // The scenario only means something if LoRA actually changed the answer.
        QVERIFY(accuracyOf(*m_adapted, m_targetTest) > accuracyOf(*m_base, m_targetTest) + 5);
    }

    // The main window hands the task over on every settings change (each rank-slider tick):
    // the same task again must neither clear the digits nor evaluate once more.
    void sameTaskAgainKeepsTheEvaluation() {
        PredictionsTab panel;
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setModel(m_base, "base");
        QVERIFY(settle(panel));
        const int total = panel.total();
        QVERIFY(total > 0);
        QSignalSpy evaluated(&panel, &PredictionsTab::evaluated);
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        QVERIFY(!panel.isEvaluating());
        QCOMPARE(panel.total(), total);
        panel.setTask(m_data, kBaseClasses, kTargetClasses); // a different task still reloads
        QVERIFY(panel.isEvaluating());
        QVERIFY(settle(panel));
        QCOMPARE(evaluated.count(), 1);
    }

    void accuracyMatchesCore_data() {
        QTest::addColumn<QString>("which");
        QTest::addColumn<bool>("baseTask");
        QTest::newRow("base on 7, 8") << "base" << false;
        QTest::newRow("LoRA on, 7, 8") << "adapted" << false;
        QTest::newRow("LoRA off, 7, 8") << "off" << false;
        QTest::newRow("LoRA off, 3, 4") << "off" << true;
        QTest::newRow("base on 3, 4") << "base" << true;
    }
    void accuracyMatchesCore() {
        QFETCH(QString, which);
        QFETCH(bool, baseTask);
        const ModelPtr model = which == "base"      ? m_base
                               : which == "adapted" ? m_adapted
                                                    : m_loraOff;
        const Dataset& task = baseTask ? m_baseTest : m_targetTest;
        Mlp copy = *model;
        const Evaluation expected = evaluate(copy, task);
        // LoRA off must leave the base exactly as it was, on either task.
        if (which == "off") QCOMPARE(expected.accuracy, accuracyOf(*m_base, task));

        PredictionsTab panel;
        QSignalSpy spy(&panel, &PredictionsTab::evaluated);
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.showBaseTask(baseTask);
        panel.setModel(model, which);
        QVERIFY(settle(panel));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toFloat(), expected.accuracy);
        QCOMPARE(panel.accuracy(), expected.accuracy);
        QCOMPARE(panel.correct(), expected.correct);
        QCOMPARE(panel.total(), expected.total);

        auto* label = panel.findChild<QLabel*>("accuracyLabel");
        QVERIFY(label);
        QVERIFY2(label->text().contains(QString("%1 % (%2/%3) on %4")
                                            .arg(expected.accuracy, 0, 'f', 2)
                                            .arg(expected.correct)
                                            .arg(expected.total)
                                            .arg(baseTask ? "3, 4" : "7, 8")),
                 qPrintable(label->text()));
        auto* combo = panel.findChild<QComboBox*>("taskCombo");
        QVERIFY(combo);
        QCOMPARE(combo->currentText(),
                 baseTask ? QString("Base task 3, 4") : QString("Fine-tuning task 7, 8"));

        auto* confusion = panel.findChild<ConfusionWidget*>();
        QVERIFY(confusion);
        QCOMPARE(confusion->classCount(), 2);
        for (int t = 0; t < 2; ++t)
            for (int p = 0; p < 2; ++p) QCOMPARE(confusion->count(t, p), expected.confusion[t][p]);

        // Red cells are exactly the shown digits the model gets wrong. Cells are matched
        // to split rows by their pixels, independent of how the panel picks them.
        auto* grid = panel.findChild<DigitGridWidget*>();
        QVERIFY(grid);
        QVERIFY(grid->cellCount() >= 32);
        int wrong = 0;
        for (int i = 0; i < grid->cellCount(); ++i) {
            int row = -1;
            for (int j = 0; j < task.size() && row < 0; ++j)
                if (DigitGridWidget::toImage(task.images.row(j).data()) == grid->image(i)) row = j;
            QVERIFY(row >= 0);
            const bool isWrong = expected.predictions[row] != task.labels[row];
            QCOMPARE(grid->isWrong(i), isWrong);
            wrong += isWrong;
        }
        QCOMPARE(grid->wrongCount(), wrong);
    }

    // Toggling LoRA relabels the same digits; it never swaps them.
    void gridKeepsItsDigitsAcrossModels() {
        PredictionsTab panel;
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setModel(m_base, "base");
        QVERIFY(settle(panel));
        auto* grid = panel.findChild<DigitGridWidget*>();
        std::vector<QImage> before;
        for (int i = 0; i < grid->cellCount(); ++i) before.push_back(grid->image(i));
        const int wrongBefore = grid->wrongCount();
        panel.setModel(m_adapted, "base + LoRA r4");
        QVERIFY(settle(panel));
        QCOMPARE(grid->cellCount(), static_cast<int>(before.size()));
        for (int i = 0; i < grid->cellCount(); ++i) QCOMPARE(grid->image(i), before[i]);
        QVERIFY(grid->wrongCount() < wrongBefore);
    }

    void staleResultsAreDropped() {
        PredictionsTab panel;
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        QVERIFY(settle(panel));
        QSignalSpy spy(&panel, &PredictionsTab::evaluated);
        panel.setModel(m_base, "base");
        panel.setModel(m_adapted, "base + LoRA r4");
        QVERIFY(panel.isEvaluating());
        QVERIFY(settle(panel));
        QCoreApplication::processEvents(); // a late delivery of the first would land here
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).toFloat(), accuracyOf(*m_adapted, m_targetTest));
        QCOMPARE(panel.accuracy(), accuracyOf(*m_adapted, m_targetTest));
    }

    // A slider tick's new model: the grid's predictions arrive first, the confusion matrix of
    // the last model stays until the new one's lands, and a model already evaluated (kept
    // in the cache) needs no preview.
    void previewComesFirstAndNothingBlanks() {
        PredictionsTab panel;
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setModel(m_base, "base");
        QVERIFY(settle(panel));
        auto* grid = panel.findChild<DigitGridWidget*>();
        auto* confusion = panel.findChild<ConfusionWidget*>();
        QStringList order;
        int previewWrong = -1;
        connect(&panel, &PredictionsTab::previewed, this, [&] {
            order << "preview";
            previewWrong = grid->wrongCount();
            QVERIFY(panel.isEvaluating());
        });
        connect(&panel, &PredictionsTab::evaluated, this, [&] { order << "evaluated"; });
        panel.setModel(m_adapted, "base + LoRA r4");
        QVERIFY(panel.isEvaluating());
        QCOMPARE(confusion->classCount(), 2); // the base's, still shown
        QVERIFY(settle(panel));
        QCOMPARE(order, QStringList({"preview", "evaluated"}));
        QCOMPARE(previewWrong, grid->wrongCount()); // the preview's labels were the model's
        order.clear();
        panel.setModel(m_base, "base");
        QVERIFY(settle(panel));
        QCOMPARE(order, QStringList({"evaluated"}));
    }

    void mismatchedOutputsShowAMessage() {
        Mlp tenWay("784-64-10");
        Rng rng(1);
        tenWay.initDefault(rng);
        PredictionsTab panel;
        panel.show();
        QSignalSpy spy(&panel, &PredictionsTab::evaluated);
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setModel(std::make_shared<const Mlp>(tenWay), "ten-way");
        QVERIFY(settle(panel));
        QCOMPARE(spy.count(), 0);
        auto* message = panel.findChild<QLabel*>("messageLabel");
        QVERIFY(message);
        QVERIFY(message->isVisible());
        QVERIFY2(message->text().contains("10 outputs"), qPrintable(message->text()));
        QVERIFY(!message->text().contains('\n'));
        QCOMPARE(panel.findChild<ConfusionWidget*>()->classCount(), 0);
        // The digits still show, just without predictions.
        QVERIFY(panel.findChild<DigitGridWidget*>()->cellCount() >= 32);
        QCOMPARE(panel.findChild<DigitGridWidget*>()->wrongCount(), 0);

        // A matching model afterwards clears the message and evaluates normally.
        panel.setModel(m_base, "base");
        QVERIFY(settle(panel));
        QCOMPARE(spy.count(), 1);
        QVERIFY(!message->isVisible());
    }

    void nullModelClears() {
        PredictionsTab panel;
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setModel(m_base, "base");
        QVERIFY(settle(panel));
        QVERIFY(panel.total() > 0);
        panel.setModel(nullptr, QString());
        QVERIFY(settle(panel));
        QCOMPARE(panel.total(), 0);
        QCOMPARE(panel.findChild<DigitGridWidget*>()->wrongCount(), 0);
    }
};

QTEST_MAIN(TestPredictionsTab)
#include "tst_predictions_tab.moc"
