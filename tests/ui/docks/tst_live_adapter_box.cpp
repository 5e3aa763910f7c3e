// The live sliders through their real widgets: dragging α on a trained adapter shows exactly
// the accuracy `lora-cli eval --alpha` prints for that α (base and adapter written to files);
// dragging r′ shows the accuracy of the SVD-truncated adapter computed apart in core; the
// chart collects accuracy against r′; without an adapter the sliders are disabled.
#include "cli_runner.h"
#include "docks/live_adapter_box.h"
#include "docks/rank_accuracy_chart.h"
#include "io/model_file.h"
#include "session/adapter_manager.h"
#include "train/adapter_view.h"
#include "train/evaluate.h"

#include "seed_base.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>

using namespace lora;

namespace {

DataPtr embedded() {
    return DataPtr(&loadEmbeddedMnist(), [](const SplitData*) {});
}

// Base + r8 α1 on every layer, trained for a few batches on 7 vs 8.
ModelPtr adapted(const Mlp& base) {
    Mlp model = base;
    LoraConfig config;
    config.spec.rank = 8;
    config.spec.alpha = 1.0f;
    Rng rng(11);
    model.attachLora(config, rng);
    TrainOptions options;
    options.maxSteps = 25;
    Trainer(model, options).run(filterClassesRemap(loadEmbeddedMnist().train, {7, 8}), nullptr);
    return std::make_shared<const Mlp>(model);
}

// Moves `slider` by `steps` notches with the keyboard, as a user would.
void drag(QSlider* slider, int steps) {
    slider->setFocus();
    for (int i = 0; i < std::abs(steps); ++i)
        QTest::keyClick(slider, steps > 0 ? Qt::Key_Right : Qt::Key_Left);
}

bool settled(LiveAdapterBox& box) {
    return QTest::qWaitFor([&] { return !box.isEvaluating() && std::isfinite(box.accuracy()); },
                           20000);
}

} // namespace

class TestLiveAdapterBox : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    Mlp m_base{"784-64-2"};

    void ready(AdapterManager& m) {
        m.setTask(embedded(), {7, 8});
        m.setBase(std::make_shared<const Mlp>(m_base));
        QVERIFY(QTest::qWaitFor([&] { return m.library() != nullptr; }, 10000));
        m.addTrained(adapted(m_base), NAN);
    }

private slots:
    void initTestCase() {
        m_base = test::trainedSeedBase();
        saveModel(m_dir.filePath("base.safetensors").toStdString(), m_base, {{3, 4}});
    }

    // Notches to the right of α 1: 1.5, 2, 3, …; to the left 0.75, 0.5, …
    void alphaDragMatchesCliEval_data() {
        QTest::addColumn<int>("notches");
        QTest::addRow("+4 (α 4)") << 4;
        QTest::addRow("+10 (α 32)") << 10;
        QTest::addRow("+20 (α 1024)") << 20;
        QTest::addRow("-3 (α 0.375)") << -3;
    }
    void alphaDragMatchesCliEval() {
        QFETCH(int, notches);
        AdapterManager m;
        ready(m);
        LiveAdapterBox box(&m);
        box.show();
        QVERIFY(settled(box));
        const QString adapter = m_dir.filePath("adapter");
        QVERIFY(m.exportAdapter(m.activeName(), adapter));
        auto* slider = box.findChild<QSlider*>("liveAlphaSlider");
        drag(slider, notches);
        const float alpha = m.liveView().alpha();
        QCOMPARE(slider->value(), box.alphaToSlider(alpha));
        QVERIFY(alpha != 1.0f);
        QVERIFY(settled(box));
        const auto eval =
            test::runCli({"eval", "--base", m_dir.filePath("base.safetensors"), "--adapter",
                          adapter, "--classes", "7,8", "--alpha", QString::number(alpha, 'g', 9)});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.stdErr));
        QCOMPARE(box.accuracy(), eval.json["accuracy"].toDouble());
        QVERIFY(box.findChild<QLabel*>("liveAccuracyLabel")
                    ->text()
                    .contains(QString::number(box.accuracy(), 'f', 2)));
        QVERIFY(box.findChild<QLabel*>("liveNote")->text().contains("a view only"));
    }

    // r′ from 8 down to 1: each shown accuracy is the core's for the truncated adapter, and
    // the chart holds one point per r′ visited.
    void rankDragMatchesTruncatedAdapter() {
        AdapterManager m;
        ready(m);
        LiveAdapterBox box(&m);
        box.show();
        QVERIFY(settled(box));
        const AdapterWeights trained = m.library()->active()->weights;
        const Dataset split = filterClassesRemap(loadEmbeddedMnist().test, {7, 8});
        auto* slider = box.findChild<QSlider*>("liveRankSlider");
        QCOMPARE(slider->maximum(), box.rankToSlider(8));
        for (int rank = 7; rank >= 1; --rank) {
            drag(slider, -1);
            QCOMPARE(m.liveView().rank(), rank);
            QVERIFY(settled(box));
            Mlp expected = m_base;
            attachAdapter(expected, viewOf(trained, {std::nullopt, rank}));
            QCOMPARE(box.accuracy(), double(evaluate(expected, split).accuracy));
        }
        const auto* chart = box.findChild<RankAccuracyChart*>("rankAccuracyChart");
        QCOMPARE(chart->points().size(), std::size_t(8));
        QCOMPARE(chart->points().begin()->first, 1);
        // α moves start a new curve.
        drag(box.findChild<QSlider*>("liveAlphaSlider"), 2);
        QVERIFY(settled(box));
        QCOMPARE(chart->points().size(), std::size_t(1));
        box.findChild<QPushButton*>("liveResetButton")->click();
        QVERIFY(m.liveView().isTrained());
    }

    void disabledWithoutAdapter() {
        AdapterManager m;
        LiveAdapterBox box(&m);
        QVERIFY(!box.findChild<QSlider*>("liveAlphaSlider")->isEnabled());
        QVERIFY(!box.findChild<QSlider*>("liveRankSlider")->isEnabled());
        ready(m);
        QVERIFY(box.findChild<QSlider*>("liveAlphaSlider")->isEnabled());
        QCOMPARE(box.findChild<QLabel*>("liveRankValue")->text(), QString("8 / 8"));
    }
};

QTEST_MAIN(TestLiveAdapterBox)
#include "tst_live_adapter_box.moc"
