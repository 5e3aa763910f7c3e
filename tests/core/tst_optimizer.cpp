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
        QVERIFY(adam.step());
        QVERIFY(std::abs(value[0] - 0.9f) < 1e-6f);
        QVERIFY(std::abs(value[1] - (-1.9f)) < 1e-6f);
        grad[0] = 0.1f;
        grad[1] = 0.2f;
        QVERIFY(adam.step());
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
        QVERIFY(sgd.step()); // buf = 2, p = 0.8
        QVERIFY(sgd.step()); // buf = 0.9·2 + 2 = 3.8, p = 0.42
        QVERIFY(std::abs(value[0] - 0.42f) < 1e-6f);
    }

    // A long view (≥ 2¹⁶ values, the threaded path) with one bad value anywhere in it.
    void stepReportsNonFiniteUpdates_data() {
        QTest::addColumn<QString>("optimizer");
        QTest::addColumn<int>("badIndex"); // -1: every update is finite
        QTest::addColumn<float>("grad");
        const float inf = std::numeric_limits<float>::infinity();
        QTest::newRow("adam finite") << "adam" << -1 << 0.0f;
        QTest::newRow("adam NaN gradient, first") << "adam" << 0 << std::nanf("");
        QTest::newRow("adam Inf gradient, last") << "adam" << 99999 << inf;
        QTest::newRow("sgd finite") << "sgd" << -1 << 0.0f;
        QTest::newRow("sgd overflowing gradient") << "sgd" << 70000 << 1e38f;
        QTest::newRow("sgd NaN gradient") << "sgd" << 5 << std::nanf("");
        QTest::newRow("sgd -Inf gradient") << "sgd" << 65535 << -inf;
    }
    void stepReportsNonFiniteUpdates() {
        QFETCH(QString, optimizer);
        QFETCH(int, badIndex);
        QFETCH(float, grad);
        std::vector<float> value(100000, 1.0f), g(100000, 0.25f);
        if (badIndex >= 0) g[std::size_t(badIndex)] = grad;
        auto opt = makeOptimizer(optimizer.toStdString(), {{"p", value.data(), g.data(), 100000}},
                                 optimizer == "sgd" ? 100.0f : 0.1f);
        QCOMPARE(opt->step(), badIndex < 0);
    }

    // Saving, stepping on and restoring gives the very steps again, bit for bit.
    void stateRoundTrip_data() {
        QTest::addColumn<QString>("optimizer");
        QTest::newRow("adam") << "adam";
        QTest::newRow("sgd") << "sgd";
    }
    void stateRoundTrip() {
        QFETCH(QString, optimizer);
        std::vector<float> value{1.0f, -2.0f, 3.0f}, grad{0.5f, -4.0f, 0.1f};
        auto opt =
            makeOptimizer(optimizer.toStdString(), {{"p", value.data(), grad.data(), 3}}, 0.1f);
        QVERIFY(opt->step());
        const OptimizerState saved = opt->saveState();
        const std::vector<float> before = value;
        QVERIFY(opt->step() && opt->step());
        const std::vector<float> after = value;
        value = before;
        opt->restoreState(saved);
        QVERIFY(opt->saveState() == saved);
        QVERIFY(opt->step() && opt->step());
        QCOMPARE(value, after);
        // A state of another shape is refused, not half applied.
        std::vector<float> other(5, 0.0f), otherGrad(5, 0.0f);
        auto foreign = makeOptimizer(optimizer.toStdString(),
                                     {{"q", other.data(), otherGrad.data(), 5}}, 0.1f);
        if (optimizer == "adam")
            QVERIFY_THROWS_EXCEPTION(std::logic_error, foreign->restoreState(saved));
    }

    void sgdMomentumStateRoundTrip() {
        float value[1] = {1.0f};
        float grad[1] = {2.0f};
        Sgd sgd({{"p", value, grad, 1}}, 0.1f, 0.9f);
        const OptimizerState fresh = sgd.saveState();
        QVERIFY(sgd.step() && sgd.step());
        QVERIFY(std::abs(value[0] - 0.42f) < 1e-6f);
        value[0] = 1.0f;
        sgd.restoreState(fresh); // back to "first step copies the gradient"
        QVERIFY(sgd.step() && sgd.step());
        QVERIFY(std::abs(value[0] - 0.42f) < 1e-6f);
        Sgd plain({{"p", value, grad, 1}}, 0.1f);
        QVERIFY_THROWS_EXCEPTION(std::logic_error, plain.restoreState(sgd.saveState()));
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
