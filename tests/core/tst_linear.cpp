// Linear: forward against a hand computation, gradients against finite differences,
// and no weight gradient at all when frozen.
#include "gradcheck.h"
#include "nn/linear.h"

#include <QtTest>

using namespace lora;

class TestLinear : public QObject {
    Q_OBJECT
private slots:
    void forwardMatchesHandComputation() {
        Linear layer(2, 3);
        layer.W << 1, 2, 3, 4, 5, 6;
        layer.b << 0.5f, -1, 2;
        Matrix x(1, 2);
        x << 1, -1;
        Matrix y(1, 3);
        layer.forward(y, x);
        QCOMPARE(y(0, 0), -0.5f);
        QCOMPARE(y(0, 1), -2.0f);
        QCOMPARE(y(0, 2), 1.0f);
    }

    void gradientsMatchFiniteDifferences_data() {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::newRow("1x3->2") << 1 << 3 << 2;
        QTest::newRow("5x7->4") << 5 << 7 << 4;
        QTest::newRow("8x16->16") << 8 << 16 << 16;
    }
    void gradientsMatchFiniteDifferences() {
        QFETCH(int, batch);
        QFETCH(int, in);
        QFETCH(int, out);
        Rng rng(42);
        Linear layer(in, out);
        layer.initDefault(rng);
        Matrix x = test::randomMatrix(batch, in, rng);
        const Matrix g = test::randomMatrix(batch, out, rng);
        Matrix y(batch, out), dx(batch, in);
        auto loss = [&] {
            layer.forward(y, x);
            return test::dotLoss(y, g);
        };
        layer.zeroGrad();
        layer.backward(dx, g, x, true);
        QVERIFY(test::maxGradError(layer.W.data(), layer.dW.data(), layer.W.size(), loss) < 1e-3);
        QVERIFY(test::maxGradError(layer.b.data(), layer.db.data(), layer.b.size(), loss) < 1e-3);
        QVERIFY(test::maxGradError(x.data(), dx.data(), x.size(), loss) < 1e-3);
    }

    void backwardAccumulates() {
        Rng rng(1);
        Linear layer(4, 3);
        layer.initDefault(rng);
        const Matrix x = test::randomMatrix(2, 4, rng), g = test::randomMatrix(2, 3, rng);
        Matrix dx(2, 4);
        layer.zeroGrad();
        layer.backward(dx, g, x, false);
        const Matrix once = layer.dW;
        layer.backward(dx, g, x, false);
        QVERIFY((layer.dW - 2 * once).cwiseAbs().maxCoeff() < 1e-6f);
        layer.zeroGrad();
        QCOMPARE(layer.dW.cwiseAbs().maxCoeff(), 0.0f);
    }

    void frozenLayerHasNoGradientAndNoViews() {
        Rng rng(2);
        Linear layer(4, 3);
        layer.initDefault(rng);
        layer.setFrozen(true);
        QCOMPARE(layer.dW.size(), Eigen::Index(0));
        const Matrix x = test::randomMatrix(2, 4, rng), g = test::randomMatrix(2, 3, rng);
        Matrix dx(2, 4);
        layer.backward(dx, g, x, true);
        QCOMPARE(layer.dW.size(), Eigen::Index(0));
        QVERIFY((dx - g * layer.W).cwiseAbs().maxCoeff() < 1e-6f); // input gradient still flows
        std::vector<ParamView> views;
        layer.trainableViews("fc1", views);
        QVERIFY(views.empty());
    }

    void defaultInitIsBoundedAndSeeded() {
        Rng a(7), b(7);
        Linear l1(100, 10), l2(100, 10);
        l1.initDefault(a);
        l2.initDefault(b);
        QCOMPARE(l1.W, l2.W);
        QVERIFY(l1.W.cwiseAbs().maxCoeff() <= 0.1f);
        QVERIFY(l1.W.cwiseAbs().maxCoeff() > 0.09f);
    }
};

QTEST_APPLESS_MAIN(TestLinear)
#include "tst_linear.moc"
