// Softmax cross-entropy and ReLU: values and gradients.
#include "gradcheck.h"
#include "nn/cross_entropy.h"
#include "nn/relu.h"

#include <QtTest>

using namespace lora;

class TestCrossEntropy : public QObject {
    Q_OBJECT
private slots:
    void uniformLogitsGiveLogClasses() {
        Matrix logits = Matrix::Zero(2, 4), probs(2, 4);
        const std::vector<int> labels{1, 3};
        const float loss = crossEntropyForward(probs, logits, labels);
        QVERIFY(std::abs(loss - std::log(4.0f)) < 1e-6f);
        QVERIFY(std::abs(probs(0, 0) - 0.25f) < 1e-7f);
    }

    void hugeLogitsStayFinite() {
        Matrix logits(1, 2), probs(1, 2);
        logits << 1000.0f, -1000.0f;
        const std::vector<int> labels{1};
        const float loss = crossEntropyForward(probs, logits, labels);
        QVERIFY(std::isfinite(loss));
        QVERIFY(std::abs(loss - 2000.0f) < 1e-2f);
    }

    void gradientMatchesFiniteDifferences() {
        Rng rng(12);
        Matrix logits = test::randomMatrix(6, 5, rng, 2.0f), probs(6, 5), dlogits(6, 5);
        const std::vector<int> labels{0, 4, 2, 2, 1, 3};
        crossEntropyForward(probs, logits, labels);
        crossEntropyBackward(dlogits, probs, labels);
        auto loss = [&] { return double(crossEntropyForward(probs, logits, labels)); };
        QVERIFY(test::maxGradError(logits.data(), dlogits.data(), logits.size(), loss, 1e-2f) <
                1e-3);
    }

    void reluForwardBackward() {
        Matrix x(1, 4), y(1, 4), dx(1, 4);
        x << -1, 0, 2, -3;
        y = x;
        biasActivationForward(y, Vector::Zero(4), Activation::Relu);
        QCOMPARE(y(0, 2), 2.0f);
        QCOMPARE(y(0, 0), 0.0f);
        Matrix dy(1, 4);
        dy << 5, 6, 7, 8;
        reluBackward(dx, dy, y);
        QCOMPARE(dx(0, 0), 0.0f);
        QCOMPARE(dx(0, 1), 0.0f);
        QCOMPARE(dx(0, 2), 7.0f);
    }

    void reluGradientMatchesFiniteDifferences() {
        Rng rng(13);
        Matrix x = test::randomMatrix(4, 6, rng), y(4, 6), dx(4, 6);
        const Matrix g = test::randomMatrix(4, 6, rng);
        const Vector noBias = Vector::Zero(6);
        const auto relu = [&] {
            y = x;
            biasActivationForward(y, noBias, Activation::Relu);
        };
        relu();
        reluBackward(dx, g, y);
        auto loss = [&] {
            relu();
            return test::dotLoss(y, g);
        };
        // Small step: no sample sits within 1e-3 of the kink for this seed.
        QVERIFY(test::maxGradError(x.data(), dx.data(), x.size(), loss, 1e-3f) < 1e-2);
    }
};

QTEST_APPLESS_MAIN(TestCrossEntropy)
#include "tst_cross_entropy.moc"
