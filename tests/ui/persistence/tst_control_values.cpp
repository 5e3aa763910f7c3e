// Panel controls in a session file: captureControls keys each named input (spin boxes,
// sliders, combo boxes, check boxes, checkable buttons, line edits) by its objectName path
// below the root, skipping unnamed ancestors, unnamed widgets, push buttons and the inner
// line edits of spin and combo boxes; restoreControls onto a fresh identical tree brings
// every value back through the widgets' own setters (their signals fire once), clamps out of
// range numbers and skips values that do not fit; checkControls refuses a value of the wrong
// type with one line naming the control and ignores keys no widget has.
#include "error_of.h"
#include "persistence/control_values.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGroupBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QtTest>

using lora::test::qErrorOf;

namespace {

template <typename W> W* named(QWidget* parent, const char* name) {
    auto* w = new W(parent);
    w->setObjectName(QLatin1String(name));
    return w;
}

// root ─ panel ─ rank, alpha, steps, init, ranks, run (push button), pause (checkable),
//      │       └ options (group box) ─ rslora
//      ├ (unnamed) ─ seed
//      └ (unnamed spin box)
struct Panel {
    Panel() {
        root.setObjectName("root"); // the root's own name is not part of the paths
        auto* panel = named<QWidget>(&root, "panel");
        rank = named<QSpinBox>(panel, "rank");
        rank->setRange(1, 64);
        rank->setValue(4);
        alpha = named<QDoubleSpinBox>(panel, "alpha");
        alpha->setRange(0.0, 100.0);
        alpha->setDecimals(3);
        alpha->setValue(1.0);
        steps = named<QSlider>(panel, "steps");
        steps->setRange(0, 1000);
        steps->setValue(100);
        init = named<QComboBox>(panel, "init");
        init->addItems({"kaiming", "gaussian", "pissa"});
        ranks = named<QLineEdit>(panel, "ranks");
        ranks->setText("1,2");
        named<QPushButton>(panel, "run");
        pause = named<QPushButton>(panel, "pause");
        pause->setCheckable(true);
        rslora = named<QCheckBox>(named<QGroupBox>(panel, "options"), "rslora");
        seed = named<QSpinBox>(new QWidget(&root), "seed");
        seed->setRange(0, 1000);
        unnamed = new QSpinBox(&root);
    }
    // Non-default values for every control.
    void change() {
        rank->setValue(8);
        alpha->setValue(16.125);
        steps->setValue(250);
        init->setCurrentText("pissa");
        ranks->setText("1,2,4");
        pause->setChecked(true);
        rslora->setChecked(true);
        seed->setValue(7);
        unnamed->setValue(5);
    }

    QWidget root;
    QSpinBox* rank;
    QDoubleSpinBox* alpha;
    QSlider* steps;
    QComboBox* init;
    QLineEdit* ranks;
    QPushButton* pause;
    QCheckBox* rslora;
    QSpinBox* seed;
    QSpinBox* unnamed;
};

QByteArray text(const QJsonObject& json) {
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

// captureControls after Panel::change().
QJsonObject changedValues() {
    return {{"panel/rank", 8},
            {"panel/alpha", 16.125},
            {"panel/steps", 250},
            {"panel/init", "pissa"},
            {"panel/ranks", "1,2,4"},
            {"panel/pause", true},
            {"panel/options/rslora", true},
            {"seed", 7}};
}

} // namespace

class TestControlValues : public QObject {
    Q_OBJECT
private slots:
    void capturesNamedInputsByPath() {
        Panel p;
        p.change();
        QCOMPARE(text(captureControls(&p.root)), text(changedValues()));
    }

    void capturesBelowAnyRoot() {
        Panel p;
        QWidget* panel = p.root.findChild<QWidget*>("panel");
        const QJsonObject json = captureControls(panel);
        QCOMPARE(json.keys(), (QStringList{"alpha", "init", "options/rslora", "pause", "rank",
                                           "ranks", "steps"}));
        QCOMPARE(json["rank"].toInt(), 4);
    }

    void restoresOntoAFreshTree() {
        Panel saved;
        saved.change();
        const QJsonObject json = captureControls(&saved.root);
        Panel p;
        QSignalSpy rank(p.rank, &QSpinBox::valueChanged);
        QSignalSpy alpha(p.alpha, &QDoubleSpinBox::valueChanged);
        QSignalSpy steps(p.steps, &QSlider::valueChanged);
        QSignalSpy init(p.init, &QComboBox::currentIndexChanged);
        QSignalSpy ranks(p.ranks, &QLineEdit::textChanged);
        QSignalSpy pause(p.pause, &QPushButton::toggled);
        QSignalSpy rslora(p.rslora, &QCheckBox::toggled);
        QSignalSpy seed(p.seed, &QSpinBox::valueChanged);
        QSignalSpy unnamed(p.unnamed, &QSpinBox::valueChanged);
        checkControls(&p.root, json);
        restoreControls(&p.root, json);
        QCOMPARE(text(captureControls(&p.root)), text(changedValues()));
        QCOMPARE(p.unnamed->value(), 0);
        QCOMPARE(unnamed.count(), 0);
        const QSignalSpy* spies[] = {&rank, &alpha, &steps, &init, &ranks, &pause, &rslora, &seed};
        for (int i = 0; i < 8; ++i)
            QVERIFY2(spies[i]->count() == 1, qPrintable(QString("spy %1").arg(i)));
        QCOMPARE(rank[0][0].toInt(), 8);
        QCOMPARE(alpha[0][0].toDouble(), 16.125);
        QCOMPARE(init[0][0].toInt(), 2);
        QCOMPARE(ranks[0][0].toString(), "1,2,4");
        QCOMPARE(rslora[0][0].toBool(), true);
    }

    void restoreSkipsWhatDoesNotFit() {
        Panel p;
        p.seed->setValue(500);
        const QJsonObject values{{"panel/rank", 1000},        // clamped to the maximum
                                 {"panel/alpha", "2.5"},      // wrong type: skipped
                                 {"panel/steps", 2.5},        // not whole: skipped
                                 {"panel/init", "lora"},      // no such item: skipped
                                 {"panel/ranks", 12},         // wrong type: skipped
                                 {"panel/gone", 3},           // no such widget
                                 {"panel/options/rslora", 1}, // wrong type: skipped
                                 {"seed", -5}};               // clamped to the minimum
        restoreControls(&p.root, values);
        QCOMPARE(p.rank->value(), 64);
        QCOMPARE(p.alpha->value(), 1.0);
        QCOMPARE(p.steps->value(), 100);
        QCOMPARE(p.init->currentText(), "kaiming");
        QCOMPARE(p.ranks->text(), "1,2");
        QCOMPARE(p.rslora->isChecked(), false);
        QCOMPARE(p.seed->value(), 0);
    }

    void check_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("spin box 2.5")
            << "panel/rank" << QJsonValue(2.5) << "controls.panel/rank must be a whole number";
        QTest::newRow("spin box as text")
            << "panel/rank" << QJsonValue("8") << "controls.panel/rank must be a whole number";
        QTest::newRow("spin box 1e10")
            << "panel/rank" << QJsonValue(1e10) << "controls.panel/rank must be a whole number";
        QTest::newRow("spin box null")
            << "seed" << QJsonValue(QJsonValue::Null) << "controls.seed must be a whole number";
        QTest::newRow("slider true")
            << "panel/steps" << QJsonValue(true) << "controls.panel/steps must be a whole number";
        QTest::newRow("double spin box as text")
            << "panel/alpha" << QJsonValue("16") << "controls.panel/alpha must be a number";
        QTest::newRow("combo box a number")
            << "panel/init" << QJsonValue(1) << "controls.panel/init must be a string";
        QTest::newRow("line edit an array") << "panel/ranks" << QJsonValue(QJsonArray{1, 2})
                                            << "controls.panel/ranks must be a string";
        QTest::newRow("check box 1") << "panel/options/rslora" << QJsonValue(1)
                                     << "controls.panel/options/rslora must be true or false";
        QTest::newRow("checkable button as text")
            << "panel/pause" << QJsonValue("on") << "controls.panel/pause must be true or false";
        QTest::newRow("unknown key") << "panel/gone" << QJsonValue("x") << "(no error)";
        QTest::newRow("push button") << "panel/run" << QJsonValue(3) << "(no error)";
        QTest::newRow("path of the unnamed parent") << "/seed" << QJsonValue("x") << "(no error)";
        QTest::newRow("combo item not offered")
            << "panel/init" << QJsonValue("lora") << "(no error)";
        QTest::newRow("spin box out of range") << "panel/rank" << QJsonValue(1000) << "(no error)";
        QTest::newRow("whole number for a double")
            << "panel/alpha" << QJsonValue(3) << "(no error)";
    }
    void check() {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        Panel p;
        QJsonObject values = captureControls(&p.root);
        values[key] = value;
        QCOMPARE(qErrorOf([&] { checkControls(&p.root, values); }), message);
    }
};

QTEST_MAIN(TestControlValues)
#include "tst_control_values.moc"
