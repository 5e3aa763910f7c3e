// CombineDialog on its own, with a stand-in for the library: what the dialog can judge
// itself is refused in place without asking the library; what it passes on arrives parsed
// exactly; the library's refusal is shown in place and keeps the dialog open.
#include "docks/combine_dialog.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

class TestCombineDialog : public QObject {
    Q_OBJECT

private slots:
    void refusedInPlace_data() {
        QTest::addColumn<QStringList>("checked");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QString>("message");
        QTest::addRow("none") << QStringList{} << ""
                              << "choose at least two adapters to combine";
        QTest::addRow("one") << QStringList{"a"} << ""
                             << "choose at least two adapters to combine";
        QTest::addRow("not a number") << QStringList{"a", "b"} << "1, x"
                                      << "weight 'x' is not a number";
        QTest::addRow("infinite") << QStringList{"a", "b"} << "1, inf"
                                  << "weight 'inf' is not a number";
        QTest::addRow("too many") << QStringList{"a", "b"} << "1,2,3"
                                  << "3 weights for 2 adapters; give one per adapter or none";
    }
    void refusedInPlace() {
        QFETCH(QStringList, checked);
        QFETCH(QString, weights);
        QFETCH(QString, message);
        int calls = 0;
        CombineDialog dialog({"a", "b", "c"}, [&](const CombineRequest&) {
            ++calls;
            return QString();
        });
        dialog.show();
        dialog.setChecked(checked);
        dialog.setWeights(weights);
        QSignalSpy finished(&dialog, &QDialog::finished);
        QTest::mouseClick(dialog.findChild<QPushButton*>("combineOkButton"), Qt::LeftButton);
        QCOMPARE(dialog.errorText(), message);
        QVERIFY(dialog.findChild<QLabel*>("combineError")->isVisible());
        QCOMPARE(calls, 0);
        QCOMPARE(finished.count(), 0);
        QVERIFY(dialog.isVisible());
    }

    void requestArrivesParsed_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("svdRank");
        QTest::addRow("cat") << static_cast<int>(lora::CombineMethod::Cat) << 0;
        QTest::addRow("linear") << static_cast<int>(lora::CombineMethod::Linear) << 0;
        QTest::addRow("svd rank 3") << static_cast<int>(lora::CombineMethod::Svd) << 3;
    }
    void requestArrivesParsed() {
        QFETCH(int, method);
        QFETCH(int, svdRank);
        std::optional<CombineRequest> got;
        CombineDialog dialog({"a", "b", "c"}, [&](const CombineRequest& r) {
            got = r;
            return QString();
        });
        dialog.show();
        dialog.setChecked({"a", "c"});
        dialog.setMethod(static_cast<lora::CombineMethod>(method));
        dialog.setWeights(" 0.7 , 0.3");
        dialog.setSvdRank(3);
        dialog.setNewName("  mix ");
        QTest::mouseClick(dialog.findChild<QPushButton*>("combineOkButton"), Qt::LeftButton);
        QVERIFY(got);
        QCOMPARE(got->names, QStringList({"a", "c"}));
        QCOMPARE(static_cast<int>(got->options.method), method);
        QCOMPARE(got->options.weights, std::vector<float>({0.7f, 0.3f}));
        QCOMPARE(got->options.svdRank, svdRank); // only svd takes a rank
        QCOMPARE(got->newName, QString("mix"));
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(!dialog.isVisible());
    }

    void libraryRefusalKeepsTheDialogOpen() {
        CombineDialog dialog({"a", "b"}, [](const CombineRequest&) {
            return QStringLiteral("linear needs adapters of the same rank");
        });
        dialog.show();
        dialog.setChecked({"a", "b"});
        QSignalSpy finished(&dialog, &QDialog::finished);
        QTest::mouseClick(dialog.findChild<QPushButton*>("combineOkButton"), Qt::LeftButton);
        QCOMPARE(dialog.errorText(), QString("linear needs adapters of the same rank"));
        QCOMPARE(finished.count(), 0);
        QVERIFY(dialog.isVisible());
    }

    void svdRankOnlyForSvd() {
        CombineDialog dialog({"a", "b"}, {});
        auto* spin = dialog.findChild<QWidget*>("svdRankSpin");
        dialog.setMethod(lora::CombineMethod::Cat);
        QVERIFY(!spin->isEnabled());
        dialog.setMethod(lora::CombineMethod::Svd);
        QVERIFY(spin->isEnabled());
    }
};

QTEST_MAIN(TestCombineDialog)
#include "tst_combine_dialog.moc"
