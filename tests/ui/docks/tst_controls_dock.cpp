// The controls dock through its real widgets: sliders and fields leave as whole settings,
// the scale label follows α/r or α/√r, and text that does not parse is reverted and reported.
#include "docks/controls_dock.h"
#include "nn/model_budget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QtTest>

class TestControlsDock : public QObject {
    Q_OBJECT
private slots:
    void rankSliderEmitsSettings_data() {
        QTest::addColumn<int>("rank");
        QTest::addRow("1") << 1;
        QTest::addRow("8") << 8;
        QTest::addRow("64") << 64;
    }
    void rankSliderEmitsSettings() {
        QFETCH(int, rank);
        ControlsDock panel;
        panel.setSettings(ExperimentSettings::forPreset(ExperimentPreset::Transfer));
        QSignalSpy spy(&panel, &ControlsDock::settingsEdited);
        panel.findChild<QSlider*>("rankSlider")->setValue(panel.rankToSlider(rank));
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<ExperimentSettings>().rank, rank);
        QCOMPARE(panel.settings().rank, rank);
    }

    void sliderExtremesClamp() {
        ControlsDock panel;
        auto* rank = panel.findChild<QSlider*>("rankSlider");
        auto* alpha = panel.findChild<QSlider*>("alphaSlider");
        rank->setValue(1000);
        alpha->setValue(-5);
        QCOMPARE(panel.settings().rank, 64); // min(in, out) of fc1 in 784-64-2
        QCOMPARE(panel.settings().alpha, 0.25f);
        alpha->setValue(100000);
        QCOMPARE(panel.settings().alpha, 1024.0f);
    }

    void scaleLabel_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<bool>("rslora");
        QTest::addColumn<QString>("text");
        QTest::addRow("α/r") << 4 << 1.0f << false << "scale s = α/r = 0.25";
        QTest::addRow("α/r r16 α32") << 16 << 32.0f << false << "scale s = α/r = 2";
        QTest::addRow("α/√r") << 16 << 8.0f << true << "scale s = α/√r = 2";
    }
    void scaleLabel() {
        QFETCH(int, rank);
        QFETCH(float, alpha);
        QFETCH(bool, rslora);
        QFETCH(QString, text);
        ControlsDock panel;
        panel.findChild<QSlider*>("rankSlider")->setValue(panel.rankToSlider(rank));
        panel.findChild<QSlider*>("alphaSlider")->setValue(ControlsDock::alphaToSlider(alpha));
        panel.findChild<QCheckBox*>("rsloraCheck")->setChecked(rslora);
        QCOMPARE(panel.findChild<QLabel*>("scaleLabel")->text(), text);
    }

    // A rank above min(in, out) of a targeted layer is legal but warned about, naming the layers.
    void rankWarning_data() {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("targets");
        QTest::addColumn<int>("rank");
        QTest::addColumn<QString>("text");
        QTest::addRow("seed 000 r2") << "784-64-2"
                                     << "fc1,fc2" << 2 << "";
        QTest::addRow("seed 000 r4") << "784-64-2"
                                     << "fc1,fc2" << 4
                                     << "r = 4 > min(in, out) of fc2 (2): more parameters, no more "
                                        "expressiveness";
        QTest::addRow("fc1 only r4") << "784-64-2"
                                     << "fc1" << 4 << "";
        // 40 is beyond the slider's range, min(in, out) = 32 of the widest layer.
        QTest::addRow("two layers r40") << "784-32-16-10"
                                        << "" << 40
                                        << "r = 32 > min(in, out) of fc2 (16), fc3 (10): "
                                           "more parameters, no more expressiveness";
    }
    void rankWarning() {
        QFETCH(QString, architecture);
        QFETCH(QString, targets);
        QFETCH(int, rank);
        QFETCH(QString, text);
        ControlsDock panel;
        panel.setSettings(ExperimentSettings::forPreset(ExperimentPreset::Transfer));
        auto* arch = panel.findChild<QLineEdit*>("architectureEdit");
        arch->setText(architecture);
        emit arch->editingFinished();
        auto* targetsEdit = panel.findChild<QLineEdit*>("targetsEdit");
        targetsEdit->setText(targets);
        emit targetsEdit->editingFinished();
        panel.findChild<QSlider*>("rankSlider")->setValue(panel.rankToSlider(rank));
        QCOMPARE(QString::fromStdString(panel.settings().architecture), architecture);
        auto* warning = panel.findChild<QLabel*>("rankWarning");
        QCOMPARE(warning->text(), text);
        QCOMPARE(warning->toolTip().isEmpty(), text.isEmpty());
    }

    void badTextIsRevertedAndReported_data() {
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::addRow("class word") << "baseClassesEdit"
                                    << "3,x"
                                    << "";
        QTest::addRow("class 12") << "targetClassesEdit"
                                  << "7,12"
                                  << "class 12 does not exist (digits are 0-9)";
        QTest::addRow("arch") << "architectureEdit"
                              << "784--2"
                              << "architecture '784--2' has an empty layer width";
        QTest::addRow("target") << "targetsEdit"
                                << "fc3"
                                << "";
        QTest::addRow("arch over the model budget")
            << "architectureEdit"
            << "784-65536-65536-2"
            << "architecture 784-65536-65536-2 has 4,346,609,666 parameters; the limit is "
               "33,554,432";
    }
    void badTextIsRevertedAndReported() {
        QFETCH(QString, field);
        QFETCH(QString, text);
        QFETCH(QString, message);
        ControlsDock panel;
        const ExperimentSettings before = panel.settings();
        auto* edit = panel.findChild<QLineEdit*>(field);
        const QString shown = edit->text();
        QSignalSpy invalid(&panel, &ControlsDock::invalidInput);
        QSignalSpy edited(&panel, &ControlsDock::settingsEdited);
        edit->setText(text);
        emit edit->editingFinished();
        QCOMPARE(invalid.count(), 1);
        if (!message.isEmpty()) QCOMPARE(invalid.at(0).at(0).toString(), message);
        QVERIFY(!invalid.at(0).at(0).toString().contains('\n'));
        QCOMPARE(edited.count(), 0);
        QVERIFY(panel.settings() == before);
        QCOMPARE(edit->text(), shown);
    }

    // The model budget bounds what the controls offer: 784-4096-4096-10 takes at most
    // 2^25 / (784 + 4096 + 4096 + 10) = 3734 samples a batch, and a rank over the adapter
    // budget is not on the slider.
    void controlsOfferOnlySizesWithinBudget() {
        ControlsDock panel;
        ExperimentSettings big = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        big.architecture = "784-4096-4096-10";
        panel.setSettings(big);
        auto* batch = panel.findChild<QSpinBox*>("batchSpin");
        QCOMPARE(batch->maximum(), 3734);
        batch->setValue(8192);
        QCOMPARE(panel.settings().batchSize, 3734);
        panel.settings().validate();

        ExperimentSettings wide = big;
        wide.batchSize = 8;
        wide.targets.clear();
        panel.setSettings(wide);
        const int budget = lora::maxRankFor({784, 4096, 4096, 10}, {true, true, true});
        QVERIFY(budget < ControlsDock::kRankSliderMax); // the budget, not min(in, out), binds
        auto* rank = panel.findChild<QSlider*>("rankSlider");
        QCOMPARE(panel.sliderToRank(rank->maximum()), budget);
        rank->setValue(rank->maximum() + 1);
        QCOMPARE(panel.settings().rank, budget);
        panel.settings().validate();
    }

    // Without the budget binding, the rank reaches min(in, out) of the widest targeted layer,
    // on log-spaced notches; α spans 0.25…1024.
    void rankRangeFollowsTargetedLayers_data() {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("targets");
        QTest::addColumn<int>("top");
        QTest::addRow("seed 000") << "784-64-2"
                                  << "fc1,fc2" << 64;
        QTest::addRow("seed 000 fc2 only (r 4 kept)") << "784-64-2"
                                                      << "fc2" << 4;
        QTest::addRow("RichBoyNet") << "784-1000-2000-10"
                                    << "" << 1000;
        QTest::addRow("RichBoyNet fc3") << "784-1000-2000-10"
                                        << "fc3" << 10;
    }
    void rankRangeFollowsTargetedLayers() {
        QFETCH(QString, architecture);
        QFETCH(QString, targets);
        QFETCH(int, top);
        ControlsDock panel;
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset::Transfer);
        s.architecture = architecture.toStdString();
        s.targets.clear();
        if (!targets.isEmpty())
            for (const QString& t : targets.split(',')) s.targets.push_back(t.toStdString());
        if (s.architecture != "784-64-2")
            s.baseClasses = s.targetClasses = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
        s.trainDigits.clear();
        panel.setSettings(s);
        auto* rank = panel.findChild<QSlider*>("rankSlider");
        QCOMPARE(panel.sliderToRank(rank->maximum()), top);
        QCOMPARE(panel.sliderToRank(0), 1);
        // Log-spaced: no notch more than 1.34× the one before, beyond the first eight.
        for (int i = 8; i <= rank->maximum(); ++i)
            QVERIFY(panel.sliderToRank(i) <= 1.34 * panel.sliderToRank(i - 1) + 1e-9);
        auto* alpha = panel.findChild<QSlider*>("alphaSlider");
        QCOMPARE(ControlsDock::sliderToAlpha(alpha->minimum()), 0.25f);
        QCOMPARE(ControlsDock::sliderToAlpha(alpha->maximum()), 1024.0f);
    }

    // "next run" names what the next training will use, and during a run the sliders that
    // could not apply to it are disabled.
    void nextRunLabelAndRunning() {
        ControlsDock panel;
        panel.setSettings(ExperimentSettings::forPreset(ExperimentPreset::Transfer));
        panel.findChild<QSlider*>("rankSlider")->setValue(panel.rankToSlider(8));
        panel.findChild<QSlider*>("alphaSlider")->setValue(ControlsDock::alphaToSlider(16));
        auto* label = panel.findChild<QLabel*>("nextRunLabel");
        QCOMPARE(label->text(), QString("next run: r 8, α 16"));
        panel.setRunning(true);
        for (const char* name : {"rankSlider", "alphaSlider", "rsloraCheck", "targetsEdit"})
            QVERIFY2(!panel.findChild<QWidget*>(name)->isEnabled(), name);
        QCOMPARE(label->text(), QString("next run: r 8, α 16 (fixed while training)"));
        panel.setRunning(false);
        QVERIFY(panel.findChild<QSlider*>("rankSlider")->isEnabled());
        QCOMPARE(label->text(), QString("next run: r 8, α 16"));
    }

    // A settings file written before the log sliders, with α 33 (not a notch): it is kept and
    // shown as it is, the slider standing at the nearest notch.
    void valueBetweenNotchesIsKept() {
        ControlsDock panel;
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset::Transfer);
        s.alpha = 33.0f;
        s.rank = 9;
        panel.setSettings(s);
        QCOMPARE(panel.settings().alpha, 33.0f);
        QCOMPARE(panel.settings().rank, 9);
        QCOMPARE(ControlsDock::sliderToAlpha(panel.findChild<QSlider*>("alphaSlider")->value()),
                 32.0f);
        QCOMPARE(panel.findChild<QLabel*>("nextRunLabel")->text(), QString("next run: r 9, α 33"));
    }

    void newOutputCountRefitsClasses() {
        ControlsDock panel;
        auto* arch = panel.findChild<QLineEdit*>("architectureEdit");
        arch->setText("784-1000-2000-10");
        emit arch->editingFinished();
        QCOMPARE(panel.settings().baseClasses.size(), 10u);
        QCOMPARE(panel.findChild<QLineEdit*>("baseClassesEdit")->text(), QString("all"));
        arch->setText("784-32-3");
        emit arch->editingFinished();
        QCOMPARE(panel.settings().targetClasses, (std::vector<int>{0, 1, 2}));
    }

    void presetChosenFromCombo() {
        ControlsDock panel;
        QSignalSpy spy(&panel, &ControlsDock::presetChosen);
        auto* combo = panel.findChild<QComboBox*>("presetCombo");
        QVERIFY(combo);
        QCOMPARE(combo->count(), 3);
        emit combo->activated(1);
        QCOMPARE(spy.count(), 1);
        QCOMPARE(spy.at(0).at(0).value<ExperimentPreset>(), ExperimentPreset::FixWeakDigit);
    }
};

QTEST_MAIN(TestControlsDock)
#include "tst_controls_dock.moc"
