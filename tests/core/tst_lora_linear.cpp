// LoraLinear: zero effect at start, gradients of A, B and x against finite differences,
// the frozen base gets no gradient (seed 004), merge/unmerge, scaling rules.
#include "gradcheck.h"
#include "nn/lora_linear.h"

#include <QtTest>

using namespace lora;

class TestLoraLinear : public QObject {
    Q_OBJECT
private slots:
    void startsAsTheBase() {
        Rng rng(3);
        Linear base(6, 4);
        base.initDefault(rng);
        base.setFrozen(true);
        LoraLinear lora(base, {2, 1.0f, false, LoraInit::Kaiming});
        lora.init(rng);
        QCOMPARE(lora.B.cwiseAbs().maxCoeff(), 0.0f);
        QVERIFY(lora.A.cwiseAbs().maxCoeff() > 0.0f);
        const Matrix x = test::randomMatrix(3, 6, rng);
        Matrix y1(3, 4), y2(3, 4);
        base.forward(y1, x);
        lora.forward(y2, x);
        QCOMPARE(y1, y2);
    }

    void gradientsMatchFiniteDifferences_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<bool>("rslora");
        QTest::newRow("r1 a1") << 1 << 1.0f << false;
        QTest::newRow("r4 a8") << 4 << 8.0f << false;
        QTest::newRow("r4 a2 rslora") << 4 << 2.0f << true;
    }
    void gradientsMatchFiniteDifferences() {
        QFETCH(int, rank);
        QFETCH(float, alpha);
        QFETCH(bool, rslora);
        Rng rng(11);
        Linear base(7, 5);
        base.initDefault(rng);
        base.setFrozen(true);
        LoraLinear lora(base, {rank, alpha, rslora, LoraInit::Gaussian});
        lora.init(rng);
        lora.B = test::randomMatrix(5, rank, rng, 0.5f); // non-zero so dA is non-trivial
        Matrix x = test::randomMatrix(4, 7, rng);
        const Matrix g = test::randomMatrix(4, 5, rng);
        Matrix y(4, 5), dx(4, 7);
        auto loss = [&] {
            lora.forward(y, x);
            return test::dotLoss(y, g);
        };
        loss();
        lora.zeroGrad();
        lora.backward(dx, g, x, true);
        QVERIFY(test::maxGradError(lora.A.data(), lora.dA.data(), lora.A.size(), loss) < 2e-3);
        QVERIFY(test::maxGradError(lora.B.data(), lora.dB.data(), lora.B.size(), loss) < 2e-3);
        QVERIFY(test::maxGradError(x.data(), dx.data(), x.size(), loss) < 2e-3);
    }

    // Seed 004: after a backward pass the frozen W has no gradient and A, B do.
    void frozenBaseGetsNoGradient() {
        Rng rng(5);
        Linear base(8, 3);
        base.initDefault(rng);
        base.setFrozen(true);
        LoraLinear lora(base, {2, 4.0f, false, LoraInit::Kaiming});
        lora.init(rng);
        const Matrix x = test::randomMatrix(4, 8, rng), g = test::randomMatrix(4, 3, rng);
        Matrix y(4, 3), dx(4, 8);
        lora.forward(y, x);
        lora.zeroGrad();
        lora.backward(dx, g, x, false);
        QCOMPARE(base.dW.size(), Eigen::Index(0));
        QVERIFY(lora.dB.cwiseAbs().maxCoeff() > 0.0f);
        // B = 0 at init, so dA is exactly zero on the first step — as in PEFT.
        QCOMPARE(lora.dA.cwiseAbs().maxCoeff(), 0.0f);
        std::vector<ParamView> views;
        base.trainableViews("fc1", views);
        lora.trainableViews("fc1", views);
        QCOMPARE(int(views.size()), 2);
        QCOMPARE(QString::fromStdString(views[0].name), QString("fc1.lora_A.weight"));
    }

    void scaleRules_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<bool>("rslora");
        QTest::addColumn<float>("scale");
        QTest::newRow("alpha/r") << 4 << 1.0f << false << 0.25f;
        QTest::newRow("alpha/r 16/8") << 8 << 16.0f << false << 2.0f;
        QTest::newRow("rslora alpha/sqrt r") << 16 << 8.0f << true << 2.0f;
    }
    void scaleRules() {
        QFETCH(int, rank);
        QFETCH(float, alpha);
        QFETCH(bool, rslora);
        QFETCH(float, scale);
        QCOMPARE(LoraSpec({rank, alpha, rslora, LoraInit::Kaiming}).scale(), scale);
    }

    void mergeEqualsTwoPathsAndUnmergeRestores() {
        Rng rng(9);
        Linear base(10, 6);
        base.initDefault(rng);
        base.setFrozen(true);
        const Matrix original = base.W;
        LoraLinear lora(base, {3, 6.0f, false, LoraInit::Kaiming});
        lora.init(rng);
        lora.B = test::randomMatrix(6, 3, rng);
        const Matrix x = test::randomMatrix(5, 10, rng);
        Matrix unmerged(5, 6), merged(5, 6);
        lora.forward(unmerged, x);
        lora.merge();
        QVERIFY(lora.merged());
        lora.forward(merged, x);
        QVERIFY((merged - unmerged).cwiseAbs().maxCoeff() < 1e-5f);
        lora.unmerge();
        QVERIFY((base.W - original).cwiseAbs().maxCoeff() < 1e-6f);
    }

    void disabledAdapterIsTheBase() {
        Rng rng(4);
        Linear base(5, 5);
        base.initDefault(rng);
        base.setFrozen(true);
        LoraLinear lora(base, {2, 1.0f, false, LoraInit::Kaiming});
        lora.init(rng);
        lora.B = test::randomMatrix(5, 2, rng);
        const Matrix x = test::randomMatrix(2, 5, rng);
        Matrix y1(2, 5), y2(2, 5);
        base.forward(y1, x);
        lora.enabled = false;
        lora.forward(y2, x);
        QCOMPARE(y1, y2);
    }

    void kaimingBoundIsOneOverSqrtIn() {
        Rng rng(8);
        Linear base(400, 3);
        LoraLinear lora(base, {16, 1.0f, false, LoraInit::Kaiming});
        lora.init(rng);
        QVERIFY(lora.A.cwiseAbs().maxCoeff() <= 0.05f);
        QVERIFY(lora.A.cwiseAbs().maxCoeff() > 0.049f);
    }

    void rejectsBadSpecs() {
        Linear base(3, 3);
        QVERIFY_THROWS_EXCEPTION(std::exception,
                                 LoraLinear(base, {0, 1.0f, false, LoraInit::Kaiming}));
        QVERIFY_THROWS_EXCEPTION(std::exception,
                                 LoraLinear(base, {2, 0.0f, false, LoraInit::Kaiming}));
        QVERIFY_THROWS_EXCEPTION(std::exception, loraInitFromString("xavier"));
    }
};

QTEST_APPLESS_MAIN(TestLoraLinear)
#include "tst_lora_linear.moc"
