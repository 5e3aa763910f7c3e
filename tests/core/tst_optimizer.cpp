// Adam and SGD against hand-computed PyTorch updates.
#include "nn/optimizer.h"
#include "util/error.h"

#include <QtTest>

using namespace lora;

class TestOptimizer : public QObject {
    Q_OBJECT
private slots:
    void adamFirstStepsMatchTorch() {
        // torch.optim.Adam([p], lr=0.1) with p = [1, -2], grads [0.5, -4] then [0.1, 0.2]:
        // the first step moves each weight by exactly lr·sign(g).
        float value[2] = {1.0f, -2.0f};
        float grad[2] = {0.5f, -4.0f};
        Adam adam({{"p", value, grad, 2}}, 0.1f);
        adam.step();
        QVERIFY(std::abs(value[0] - 0.9f) < 1e-6f);
        QVERIFY(std::abs(value[1] - (-1.9f)) < 1e-6f);
        grad[0] = 0.1f;
        grad[1] = 0.2f;
        adam.step();
        // m = 0.9·0.05 + 0.01 = 0.055 → m̂ = 0.055/0.19; v = 0.999·0.00025 + 0.001·0.01 → v̂
        // /0.001999.
        const double m = 0.9 * 0.05 + 0.1 * 0.1, v = 0.999 * 0.001 * 0.25 + 0.001 * 0.01;
        const double expected =
            0.9 - 0.1 * (m / 0.19) / (std::sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
        QVERIFY(std::abs(value[0] - expected) < 1e-5);
    }

    void sgdMomentumMatchesTorch() {
        float value[1] = {1.0f};
        float grad[1] = {2.0f};
        Sgd sgd({{"p", value, grad, 1}}, 0.1f, 0.9f);
        sgd.step(); // buf = 2, p = 0.8
        sgd.step(); // buf = 0.9·2 + 2 = 3.8, p = 0.42
        QVERIFY(std::abs(value[0] - 0.42f) < 1e-6f);
    }

    void zeroGradClearsEveryView() {
        float value[3] = {0, 0, 0};
        float grad[3] = {1, 2, 3};
        Sgd sgd({{"p", value, grad, 3}}, 0.1f);
        sgd.zeroGrad();
        QCOMPARE(grad[0] + grad[1] + grad[2], 0.0f);
    }

    void badSettings_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<float>("lr");
        QTest::addColumn<QString>("error");
        QTest::newRow("lr 0") << "adam" << 0.0f << "learning rate must be a positive number";
        QTest::newRow("lr negative") << "sgd" << -1.0f << "learning rate must be a positive number";
        QTest::newRow("unknown") << "lion" << 0.1f << "unknown optimiser 'lion' (use adam or sgd)";
    }
    void badSettings() {
        QFETCH(QString, name);
        QFETCH(float, lr);
        QFETCH(QString, error);
        try {
            makeOptimizer(name.toStdString(), {}, lr);
            QFAIL("expected an error");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), error);
        }
    }
};

QTEST_APPLESS_MAIN(TestOptimizer)
#include "tst_optimizer.moc"
