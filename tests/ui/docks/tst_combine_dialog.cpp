// CombineDialog on its own, with a stand-in for the library: what the dialog can judge
// itself is refused in place without asking the library; what it passes on arrives parsed
// exactly; the library's refusal is shown in place and keeps the dialog open. Given the
// adapters' weights, the dialog shows the measured gap of the combination to Σ wᵢ·ΔWᵢ per
// layer, equal to lora::combineGaps, and follows the choices.
#include "docks/combine_dialog.h"
#include "random_matrix.h"

#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

namespace {

lora::AdapterWeights randomAdapter(const lora::Mlp& net, int rank, std::uint64_t seed) {
    lora::AdapterWeights a;
    a.spec.rank = rank;
    a.spec.alpha = 2.0f;
    for (int i = 0; i < net.layerCount(); ++i)
        a.layers.push_back({i, a.spec, lora::test::uniformMatrix(rank, net.layer(i).in(), seed + i),
                            lora::test::uniformMatrix(net.layer(i).out(), rank, seed + 7 * i)});
    return a;
}

} // namespace

class TestCombineDialog : public QObject {
    Q_OBJECT

private slots:
    void measuredGapFollowsTheChoices_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QStringList>("checked");
        QTest::addColumn<QString>("error");
        const int cat = int(lora::CombineMethod::Cat), linear = int(lora::CombineMethod::Linear),
                  svd = int(lora::CombineMethod::Svd);
        QTest::addRow("cat") << cat << "0.7, 0.3" << QStringList{"a", "b"} << "";
        QTest::addRow("linear") << linear << "" << QStringList{"a", "b"} << "";
        QTest::addRow("svd") << svd << "1, 2" << QStringList{"a", "b"} << "";
        QTest::addRow("linear, ranks differ") << linear << "" << QStringList{"a", "c"} << "rank";
        QTest::addRow("one adapter")
            << cat << "" << QStringList{"a"} << "choose at least two adapters to combine";
    }
    void measuredGapFollowsTheChoices() {
        QFETCH(int, method);
        QFETCH(QString, weights);
        QFETCH(QStringList, checked);
        QFETCH(QString, error);
        const lora::Mlp shapes("30-20-5");
        const std::map<QString, lora::AdapterWeights> adapters{{"a", randomAdapter(shapes, 2, 1)},
                                                               {"b", randomAdapter(shapes, 2, 50)},
                                                               {"c", randomAdapter(shapes, 3, 90)}};
        CombineDialog dialog({"a", "b", "c"}, [](const CombineRequest&) { return QString(); });
        dialog.show();
        dialog.setInputs({"30-20-5", adapters});
        dialog.setMethod(static_cast<lora::CombineMethod>(method));
        dialog.setWeights(weights);
        dialog.setSvdRank(2);
        dialog.setChecked(checked);
        CombineGapSection* gap = dialog.gapSection();
        QVERIFY(gap->isVisible());
        QVERIFY(QTest::qWaitFor([&] { return !gap->isMeasuring(); }, 10000));
        auto* label = dialog.findChild<QLabel*>("combineGapLabel");
        if (!error.isEmpty()) {
            QVERIFY(gap->gaps().empty());
            QVERIFY2(label->text().contains(error), qPrintable(label->text()));
            return;
        }
        QString why;
        const std::optional<CombineRequest> r = dialog.request(&why);
        QVERIFY(r);
        std::vector<lora::AdapterWeights> parts;
        for (const QString& name : checked) parts.push_back(adapters.at(name));
        const auto expected = lora::combineGaps(shapes, parts, r->options.weights,
                                                lora::combineAdapters(shapes, parts, r->options));
        QCOMPARE(gap->gaps().size(), expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i) {
            QCOMPARE(gap->gaps()[i].rank, expected[i].rank);
            QCOMPARE(gap->gaps()[i].relativeGap, expected[i].relativeGap);
            QCOMPARE(gap->gaps()[i].maxAbsGap, expected[i].maxAbsGap);
        }
        if (method == int(lora::CombineMethod::Cat))
            for (const auto& g : gap->gaps()) QVERIFY(g.relativeGap < 1e-6);
        else
            QVERIFY(gap->gaps()[0].relativeGap > 0.01); // linear's cross terms, svd's cut
        QVERIFY2(label->text().startsWith(QString("fc1 rank %1: ").arg(expected[0].rank)),
                 qPrintable(label->text()));
    }

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
