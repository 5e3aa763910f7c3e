// Mlp: parameter counts from the seeds, whole-network gradients, target selection,
// merge through the network and deep copies.
#include "gradcheck.h"
#include "nn/architecture.h"
#include "nn/cross_entropy.h"
#include "nn/mlp.h"
#include "util/error.h"

#include <QtTest>

using namespace lora;

class TestMlp : public QObject {
    Q_OBJECT
private slots:
    void seedParameterCounts_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("rank");
        QTest::addColumn<QStringList>("targets");
        QTest::addColumn<qulonglong>("total");
        QTest::addColumn<qulonglong>("trainable");
        const QStringList both{"fc1", "fc2"};
        QTest::newRow("seed000 r2") << "784-64-2" << 2 << both << 50370ull << 1828ull;
        QTest::newRow("seed000 r4") << "784-64-2" << 4 << both << 50370ull << 3656ull;
        QTest::newRow("seed000 r8") << "784-64-2" << 8 << both << 50370ull << 7312ull;
        QTest::newRow("seed000 r16") << "784-64-2" << 16 << both << 50370ull << 14624ull;
        QTest::newRow("seed000 r4 default targets")
            << "784-64-2" << 4 << QStringList{} << 50370ull << 3656ull;
        QTest::newRow("seed000 r4 fc2 only")
            << "784-64-2" << 4 << QStringList{"fc2"} << 50370ull << 264ull;
        QTest::newRow("seed001 r1")
            << "784-1000-2000-10" << 1 << QStringList{} << 2807010ull << 6794ull;
    }
    void seedParameterCounts() {
        QFETCH(QString, arch);
        QFETCH(int, rank);
        QFETCH(QStringList, targets);
        QFETCH(qulonglong, total);
        QFETCH(qulonglong, trainable);
        Mlp net(arch.toStdString());
        QCOMPARE(qulonglong(net.baseParamCount()), total);
        QCOMPARE(qulonglong(net.trainableParamCount()), total);
        LoraConfig config{{rank, 1.0f, false, LoraInit::Kaiming}, {}};
        for (const auto& t : targets) config.targets.push_back(t.toStdString());
        Rng rng(0);
        net.attachLora(config, rng);
        QCOMPARE(qulonglong(net.trainableParamCount()), trainable);
        std::size_t viewed = 0;
        for (const auto& v : net.trainableViews()) viewed += v.size;
        QCOMPARE(qulonglong(viewed), trainable); // the optimiser sees exactly these
        net.detachLora();
        QCOMPARE(qulonglong(net.trainableParamCount()), total);
    }

    void networkGradientsMatchFiniteDifferences_data() {
        QTest::addColumn<bool>("withLora");
        QTest::newRow("full") << false;
        QTest::newRow("lora") << true;
    }
    void networkGradientsMatchFiniteDifferences() {
        QFETCH(bool, withLora);
        Rng rng(21);
        Mlp net("6-5-4-3");
        net.initDefault(rng);
        if (withLora) {
            net.attachLora({{2, 2.0f, false, LoraInit::Kaiming}, {"fc1", "fc3"}}, rng);
            net.adapter(0)->B = test::randomMatrix(5, 2, rng, 0.3f);
            net.adapter(2)->B = test::randomMatrix(3, 2, rng, 0.3f);
        }
        const Matrix x = test::randomMatrix(4, 6, rng);
        const std::vector<int> labels{0, 2, 1, 2};
        Matrix probs(4, 3), dlogits(4, 3);
        auto loss = [&] { return double(crossEntropyForward(probs, net.forward(x), labels)); };
        loss();
        net.zeroGrad();
        crossEntropyBackward(dlogits, probs, labels);
        net.backward(x, dlogits);
        const auto views = net.trainableViews();
        QCOMPARE(int(views.size()), withLora ? 4 : 6);
        for (const auto& v : views) {
            const double err = test::maxGradError(v.value, v.grad, v.size, loss, 1e-2f);
            QVERIFY2(err < 5e-3, (v.name + " error " + std::to_string(err)).c_str());
        }
    }

    void unknownTargetIsRejectedAndNothingChanges() {
        Mlp net("784-64-2");
        Rng rng(0);
        try {
            net.attachLora({{4, 1.0f, false, LoraInit::Kaiming}, {"fc1", "fc3"}}, rng);
            QFAIL("expected an error");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()),
                     QString("target layer 'fc3' does not exist in 784-64-2 (layers are fc1-fc2)"));
        }
        QVERIFY(!net.hasLora());
        QCOMPARE(net.trainableParamCount(), net.baseParamCount());
    }

    void mergedNetworkMatchesUnmerged() {
        Rng rng(5);
        Mlp net("20-16-3");
        net.initDefault(rng);
        net.attachLora({{4, 8.0f, false, LoraInit::Kaiming}, {}}, rng);
        for (int i = 0; i < 2; ++i)
            net.adapter(i)->B = test::randomMatrix(net.layer(i).out(), 4, rng);
        const Matrix x = test::randomMatrix(7, 20, rng);
        const Matrix unmerged = net.forward(x);
        net.setLoraEnabled(false);
        const Matrix off = net.forward(x);
        net.setLoraEnabled(true);
        net.mergeLora();
        const Matrix merged = net.forward(x);
        QVERIFY((merged - unmerged).cwiseAbs().maxCoeff() < 1e-4f);
        QVERIFY((off - unmerged).cwiseAbs().maxCoeff() > 1e-2f);
        net.unmergeLora();
        QVERIFY((net.forward(x) - unmerged).cwiseAbs().maxCoeff() < 1e-4f);
    }

    void copyIsDeepAndRebound() {
        Rng rng(6);
        Mlp net("5-4-2");
        net.initDefault(rng);
        net.attachLora({{2, 1.0f, false, LoraInit::Kaiming}, {}}, rng);
        Mlp copy = net;
        copy.layer(0).W(0, 0) += 1.0f;
        QVERIFY(copy.layer(0).W(0, 0) != net.layer(0).W(0, 0));
        QCOMPARE(&copy.adapter(0)->base(), &copy.layer(0));
        QCOMPARE(copy.trainableParamCount(), net.trainableParamCount());
        Mlp assigned("3-3");
        assigned = net;
        QCOMPARE(&assigned.adapter(1)->base(), &assigned.layer(1));
        QCOMPARE(assigned.layer(1).W, net.layer(1).W);
    }

    void architectureStrings_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("error");
        QTest::newRow("ok") << "784-64-2"
                            << "";
        QTest::newRow("empty width") << "784--2"
                                     << "architecture '784--2' has an empty layer width";
        QTest::newRow("zero") << "0-10"
                              << "architecture '0-10': every width must be at least 1";
        QTest::newRow("huge")
            << "784-99999999-2"
            << "architecture '784-99999999-2': width 99999999 exceeds the limit of 65536";
        QTest::newRow("letters") << "784-x-2"
                                 << "architecture '784-x-2': 'x' is not a whole number";
        QTest::newRow("one width")
            << "784"
            << "architecture '784' needs at least an input and an output width";
        QTest::newRow("empty") << ""
                               << "architecture is empty (expected widths like 784-64-2)";
        QTest::newRow("trailing dash") << "784-"
                                       << "architecture '784-' has an empty layer width";
    }
    void architectureStrings() {
        QFETCH(QString, arch);
        QFETCH(QString, error);
        try {
            const auto widths = parseArchitecture(arch.toStdString());
            QVERIFY(error.isEmpty());
            QCOMPARE(QString::fromStdString(formatArchitecture(widths)), arch);
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), error);
        }
    }
};

QTEST_APPLESS_MAIN(TestMlp)
#include "tst_mlp.moc"
