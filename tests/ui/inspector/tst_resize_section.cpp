// ResizeSection: each method's slider range and the rule it gives, ruleChanged on a move.
#include "inspector/resize_section.h"

#include <QComboBox>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

class TestResizeSection : public QObject {
    Q_OBJECT
private slots:
    void rules_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("position");
        QTest::addColumn<int>("low");
        QTest::addColumn<int>("high");
        QTest::addColumn<double>("value");
        QTest::newRow("rank") << 0 << 3 << 1 << 16 << 3.0;
        QTest::newRow("sv-ratio") << 1 << 20 << 2 << 100 << 20.0;
        QTest::newRow("sv-fro") << 2 << 90 << 50 << 100 << 0.9;
    }
    void rules() {
        QFETCH(int, method);
        QFETCH(int, position);
        QFETCH(int, low);
        QFETCH(int, high);
        QFETCH(double, value);
        ResizeSection s;
        s.setMaxRank(16);
        s.methodCombo()->setCurrentIndex(method);
        QCOMPARE(s.slider()->minimum(), low);
        QCOMPARE(s.slider()->maximum(), high);
        QSignalSpy changed(&s, &ResizeSection::ruleChanged);
        s.slider()->setValue(position);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(int(s.rule().method), method); // the combo's order is the enum's
        QCOMPARE(s.rule().value, value);
    }
};

QTEST_MAIN(TestResizeSection)
#include "tst_resize_section.moc"
