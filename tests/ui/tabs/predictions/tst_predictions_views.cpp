// PredictionsTab's outcome views through the real widgets, on real models trained as seed
// 000 does (784-64-2 base on 3-vs-4, then rank-4 LoRA and a full fine-tune on 7-vs-8):
// "mistakes only" shows exactly the wrong predictions (and says so when there are none),
// "least confident first" orders by top softmax probability ascending, the model choice
// switches what is evaluated (each equal to lora::evaluate), and the before → after line and
// wrong-count bars equal the base's and the model's own evaluations — and, wired to a real
// session as the main window wires it, the accuracies its LoRA and full runs measured.
#include "data/idx.h"
#include "session/experiment_session.h"
#include "tabs/predictions/predictions_tab.h"
#include "tabs/predictions/wrong_counts_chart.h"
#include "train/evaluate.h"
#include "train/merge_check.h"
#include "train/prediction_stats.h"
#include "train/trainer.h"
#include "util/rng.h"
#include "widgets/digit_grid_widget.h"

#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

using namespace lora;
using Choice = PredictionsTab::ModelChoice;

namespace {

const std::vector<int> kBaseClasses{3, 4}, kTargetClasses{7, 8};

Evaluation evaluationOf(const Mlp& model, const Dataset& data, bool logits = false) {
    Mlp copy = model;
    return evaluate(copy, data, logits);
}

bool settle(PredictionsTab& panel) {
    return QTest::qWaitFor([&] { return !panel.isEvaluating(); }, 30000);
}

// Grid cell i matched to its split row by pixels, independent of how the panel picks them.
int rowOf(const DigitGridWidget& grid, int i, const Dataset& split) {
    for (int j = 0; j < split.size(); ++j)
        if (DigitGridWidget::toImage(split.images.row(j).data()) == grid.image(i)) return j;
    return -1;
}

} // namespace

class TestPredictionsViews : public QObject {
    Q_OBJECT
    DataPtr m_data;
    ModelPtr m_base, m_lora, m_full;
    Dataset m_targetTest;

    void setUp(PredictionsTab& panel, Choice choice) {
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setChoices(m_base, m_lora, m_full);
        panel.setModel(m_lora, "base + LoRA r4");
        panel.setModelChoice(choice);
    }

private slots:
    void initTestCase() {
        m_data = std::make_shared<const SplitData>(loadEmbeddedMnist());
        m_targetTest = filterClassesRemap(m_data->test, kTargetClasses);
        const Dataset targetTrain = filterClassesRemap(m_data->train, kTargetClasses);
        Mlp base("784-64-2");
        Rng initRng(0);
        base.initDefault(initRng);
        TrainOptions options;
        options.epochs = 1;
        options.batchSize = 64;
        options.learningRate = 0.01f;
        options.seed = 0;
        Trainer(base, options).run(filterClassesRemap(m_data->train, kBaseClasses), nullptr);
        m_base = std::make_shared<const Mlp>(base);
        Mlp full = base;
        Trainer(full, options).run(targetTrain, nullptr);
        m_full = std::make_shared<const Mlp>(full);
        Mlp adapted = base;
        LoraConfig config;
        config.spec.rank = 4;
        Rng loraRng(0);
        adapted.attachLora(config, loraRng);
        options.epochs = 3;
        Trainer(adapted, options).run(targetTrain, nullptr);
        m_lora = std::make_shared<const Mlp>(adapted);
        // The views only mean something with mistakes before and fewer after.
        QVERIFY(evaluationOf(base, m_targetTest).correct <
                evaluationOf(adapted, m_targetTest).correct);
        QVERIFY(evaluationOf(adapted, m_targetTest).correct < m_targetTest.size());
    }

    void modelChoiceMatchesCore_data() {
        QTest::addColumn<int>("choice");
        QTest::newRow("base") << int(Choice::Base);
        QTest::newRow("base + LoRA") << int(Choice::Lora);
        QTest::newRow("merged") << int(Choice::Merged);
        QTest::newRow("full fine-tune") << int(Choice::Full);
    }
    void modelChoiceMatchesCore() {
        QFETCH(int, choice);
        const Choice c = static_cast<Choice>(choice);
        const Mlp expectedModel = c == Choice::Base     ? *m_base
                                  : c == Choice::Full   ? *m_full
                                  : c == Choice::Merged ? mergedModel(*m_lora)
                                                        : *m_lora;
        const Evaluation expected = evaluationOf(expectedModel, m_targetTest);
        const Evaluation before = evaluationOf(*m_base, m_targetTest);
        PredictionsTab panel;
        setUp(panel, c);
        QVERIFY(settle(panel));
        QCOMPARE(panel.findChild<QComboBox*>("modelCombo")->currentIndex(), choice);
        QCOMPARE(panel.accuracy(), expected.accuracy);
        QCOMPARE(panel.correct(), expected.correct);
        QCOMPARE(panel.baseAccuracy(), before.accuracy);

        // Before → after: the base's and the chosen model's own accuracies, as printed.
        const QString line = panel.findChild<QLabel*>("beforeAfterLabel")->text();
        auto* bars = panel.findChild<WrongCountsChart*>();
        QVERIFY(bars);
        QCOMPARE(bars->before(), before.errorsPerClass);
        if (c == Choice::Base) {
            QVERIFY2(line.isEmpty(), qPrintable(line));
            QVERIFY(bars->after().empty());
        } else {
            const QString figures = QString("base %1 % → %2 %3 %")
                                        .arg(before.accuracy, 0, 'f', 2)
                                        .arg(panel.shownLabel())
                                        .arg(expected.accuracy, 0, 'f', 2);
            QVERIFY2(line.contains(figures), qPrintable(line + " lacks " + figures));
            QCOMPARE(bars->after(), expected.errorsPerClass);
        }
        QCOMPARE(bars->weakestDigit(), kTargetClasses[weakestClass(before)]);
    }

    // The session's own runs: "after" is the accuracy the run measured, "before" the base's.
    void runResultsShowBeforeAfter_data() {
        QTest::addColumn<bool>("full");
        QTest::newRow("LoRA run") << false;
        QTest::newRow("full fine-tune") << true;
    }
    void runResultsShowBeforeAfter() {
        QFETCH(bool, full);
        ExperimentSession session;
        PredictionsTab panel;
        const auto feed = [&] { // what MainWindow::refreshModels does
            const ExperimentSettings& s = session.settings();
            panel.setTask(session.data(), s.targetClasses, s.baseClasses);
            panel.setChoices(session.baseModel(), session.loraModel(), session.fullModel());
            panel.setModel(session.currentModel(), session.currentLabel());
        };
        connect(&session, &ExperimentSession::runFinished, &panel, &PredictionsTab::showRunResult);
        connect(&session, &ExperimentSession::modelsChanged, &panel, feed);
        QSignalSpy finished(&session, &ExperimentSession::runFinished);
        session.trainBase();
        QVERIFY(QTest::qWaitFor([&] { return !session.isRunning(); }, 60000));
        full ? session.fullFinetune() : session.trainLora();
        QVERIFY(QTest::qWaitFor([&] { return !session.isRunning(); }, 60000));
        QCOMPARE(finished.size(), 2);
        const RunOutcome run = finished.at(1).at(0).value<RunOutcome>();
        QVERIFY(settle(panel));
        QCOMPARE(panel.findChild<QComboBox*>("modelCombo")->currentIndex(),
                 int(full ? Choice::Full : Choice::Current));
        QCOMPARE(panel.accuracy(), run.testAccuracy);
        const ExperimentSettings& s = session.settings();
        const float before = evaluationOf(*session.baseModel(),
                                          filterClassesRemap(session.data()->test, s.targetClasses))
                                 .accuracy;
        QCOMPARE(panel.baseAccuracy(), before);
        const QString line = panel.findChild<QLabel*>("beforeAfterLabel")->text();
        const QString figures = QString("base %1 % → %2 %3 %")
                                    .arg(before, 0, 'f', 2)
                                    .arg(panel.shownLabel())
                                    .arg(run.testAccuracy, 0, 'f', 2);
        QVERIFY2(line.contains(figures), qPrintable(line + " lacks " + figures));
    }

    void missingModelSaysSo() {
        PredictionsTab panel;
        panel.setTask(m_data, kTargetClasses, kBaseClasses);
        panel.setChoices(m_base, m_lora, nullptr);
        panel.setModelChoice(Choice::Full);
        QVERIFY(settle(panel));
        QCOMPARE(panel.total(), 0);
        const QString text = panel.findChild<QLabel*>("accuracyLabel")->text();
        QVERIFY2(text.contains("No full fine-tune yet"), qPrintable(text));
    }

    void mistakesOnlyShowsOnlyWrongPredictions_data() {
        QTest::addColumn<int>("choice");
        QTest::newRow("base") << int(Choice::Base);
        QTest::newRow("base + LoRA") << int(Choice::Lora);
    }
    void mistakesOnlyShowsOnlyWrongPredictions() {
        QFETCH(int, choice);
        const ModelPtr model = choice == int(Choice::Base) ? m_base : m_lora;
        const Evaluation expected = evaluationOf(*model, m_targetTest);
        PredictionsTab panel;
        setUp(panel, static_cast<Choice>(choice));
        panel.setOrder(SampleOrder::MistakesOnly);
        QVERIFY(settle(panel));
        auto* grid = panel.findChild<DigitGridWidget*>();
        const int wrong = expected.total - expected.correct;
        QCOMPARE(grid->cellCount(), std::min(32, wrong));
        QCOMPARE(grid->wrongCount(), grid->cellCount());
        for (int i = 0; i < grid->cellCount(); ++i) {
            const int row = rowOf(*grid, i, m_targetTest);
            QVERIFY(row >= 0);
            QVERIFY(expected.predictions[row] != m_targetTest.labels[row]);
            QCOMPARE(panel.shownRows()[i], row);
        }
    }

    // A model that makes no mistake on the task: an empty grid and a sentence saying so.
    void mistakesOnlySaysWhenThereAreNone() {
        const Evaluation ev = evaluationOf(*m_lora, m_targetTest);
        // Relabel the test split with the model's own answers: every prediction is right.
        auto data = std::make_shared<SplitData>(*m_data);
        const Dataset split = filterClassesRemap(data->test, kTargetClasses);
        int k = 0;
        for (int i = 0; i < data->test.size(); ++i) {
            const int digit = data->test.labels[i];
            if (digit == kTargetClasses[0] || digit == kTargetClasses[1])
                data->test.labels[i] = kTargetClasses[ev.predictions[k++]];
        }
        QCOMPARE(k, split.size());
        PredictionsTab panel;
        panel.show();
        panel.setTask(data, kTargetClasses, kBaseClasses);
        panel.setModel(m_lora, "base + LoRA r4");
        panel.setOrder(SampleOrder::MistakesOnly);
        QVERIFY(settle(panel));
        QCOMPARE(panel.correct(), panel.total());
        QCOMPARE(panel.findChild<DigitGridWidget*>()->cellCount(), 0);
        auto* note = panel.findChild<QLabel*>("gridNote");
        QVERIFY(note->isVisible());
        QVERIFY2(note->text().startsWith("No wrong predictions"), qPrintable(note->text()));
    }

    void leastConfidentFirstIsByTopProbabilityAscending() {
        const Evaluation expected = evaluationOf(*m_lora, m_targetTest, true);
        std::vector<float> top = topProbabilities(expected.logits);
        PredictionsTab panel;
        setUp(panel, Choice::Lora);
        panel.setOrder(SampleOrder::LeastConfident);
        QVERIFY(settle(panel));
        auto* grid = panel.findChild<DigitGridWidget*>();
        QCOMPARE(grid->cellCount(), 32);
        const std::vector<float>& shown = panel.shownConfidence();
        QCOMPARE(shown.size(), std::size_t(32));
        for (int i = 0; i < 32; ++i) {
            const int row = rowOf(*grid, i, m_targetTest);
            QVERIFY(row >= 0);
            QCOMPARE(shown[i], top[row]);
            if (i > 0) QVERIFY(shown[i - 1] <= shown[i]);
        }
        // And none left out is less confident than the last one shown.
        std::sort(top.begin(), top.end());
        QCOMPARE(shown.back(), top[31]);
    }
};

QTEST_MAIN(TestPredictionsViews)
#include "tst_predictions_views.moc"
