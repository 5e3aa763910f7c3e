// A drawn digit made MNIST-like: a blank canvas stays blank; a block is scaled into the
// 20×20 box keeping its aspect ratio and centred by mass; real test digits, blown up ten
// times and drawn off-centre on a large canvas, come back close to their originals and a
// trained 3-vs-4 network reads them as it reads the originals.
#include "data/digit_canvas.h"
#include "data/idx.h"
#include "train/evaluate.h"
#include "train/trainer.h"

#include "seed_base.h"

#include <QtTest>

using namespace lora;

class TestDigitCanvas : public QObject {
    Q_OBJECT
private slots:
    void blankStaysBlank() {
        QVERIFY(mnistFieldFromCanvas(Matrix::Zero(280, 280)).isZero());
        const Matrix row = normalisedRow(Matrix::Zero(28, 28));
        QCOMPARE(row.cols(), 784);
        QCOMPARE(row(0, 0), -kMnistMean / kMnistStd);
    }

    void blockIsScaledAndCentred_data() {
        QTest::addColumn<int>("height");
        QTest::addColumn<int>("width");
        QTest::addColumn<int>("boxRows");
        QTest::addColumn<int>("boxCols");
        QTest::newRow("tall") << 100 << 50 << 20 << 10;
        QTest::newRow("wide") << 30 << 120 << 5 << 20;
        QTest::newRow("one pixel") << 1 << 1 << 20 << 20;
    }
    void blockIsScaledAndCentred() {
        QFETCH(int, height);
        QFETCH(int, width);
        QFETCH(int, boxRows);
        QFETCH(int, boxCols);
        Matrix canvas = Matrix::Zero(300, 300);
        canvas.block(7, 160, height, width).setOnes(); // far from the centre
        const Matrix field = mnistFieldFromCanvas(canvas);
        QCOMPARE(int((field.array() > 0.5f).count()), boxRows * boxCols);
        QCOMPARE(field.maxCoeff(), 1.0f);
        double mass = 0, cy = 0, cx = 0;
        for (int i = 0; i < 28; ++i)
            for (int j = 0; j < 28; ++j) {
                mass += field(i, j);
                cy += field(i, j) * (i + 0.5);
                cx += field(i, j) * (j + 0.5);
            }
        QVERIFY(std::abs(cy / mass - 14) <= 0.5 && std::abs(cx / mass - 14) <= 0.5);
    }

    void realDigitsSurviveTheRoundTrip() {
        const SplitData& mnist = loadEmbeddedMnist();
        Dataset test = filterClassesRemap(mnist.test, {3, 4});
        Mlp net = lora::test::trainedSeedBase();

        const int n = 100;
        Dataset redrawn;
        redrawn.numClasses = 2;
        redrawn.images.resize(n, 784);
        double cosine = 0;
        for (int k = 0; k < n; ++k) {
            Matrix canvas = Matrix::Zero(400, 400);
            for (int i = 0; i < 28; ++i)
                for (int j = 0; j < 28; ++j) {
                    const float p = test.images(k, i * 28 + j) * kMnistStd + kMnistMean;
                    canvas.block(37 + 10 * i, 91 + 10 * j, 10, 10).setConstant(p);
                }
            const Matrix row = normalisedRow(mnistFieldFromCanvas(canvas));
            redrawn.images.row(k) = row;
            redrawn.labels.push_back(test.labels[k]);
            const Matrix a = test.images.row(k).array() * kMnistStd + kMnistMean;
            const Matrix b = row.array() * kMnistStd + kMnistMean;
            cosine += a.cwiseProduct(b).sum() / (a.norm() * b.norm());
        }
        test.images.conservativeResize(n, 784);
        test.labels.resize(n);
        const Evaluation original = evaluate(net, test), again = evaluate(net, redrawn);
        int same = 0;
        for (int k = 0; k < n; ++k) same += original.predictions[k] == again.predictions[k];
        qInfo("mean cosine %.3f, same prediction %d/%d, accuracy %.1f%% vs %.1f%%", cosine / n,
              same, n, again.accuracy, original.accuracy);
        QVERIFY(cosine / n > 0.8);
        QVERIFY(same >= 95);
    }

    void rejectsNonFinite() {
        Matrix canvas = Matrix::Zero(10, 10);
        canvas(3, 3) = NAN;
        QVERIFY_THROWS_EXCEPTION(std::exception, mnistFieldFromCanvas(canvas));
    }
};

QTEST_GUILESS_MAIN(TestDigitCanvas)
#include "tst_digit_canvas.moc"
