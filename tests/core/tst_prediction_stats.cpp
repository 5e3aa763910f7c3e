// prediction_stats against hand-made evaluations: the weakest class is the argmax of the
// per-class errors (lowest on a tie, -1 without errors), top probabilities are the softmax
// maximum even for logits that would overflow exp, mistakes come in row order, and the least
// confident rows come lowest probability first with ties in row order.
#include "train/prediction_stats.h"

#include <QtTest>
#include <cmath>

using namespace lora;

class TestPredictionStats : public QObject {
    Q_OBJECT
private slots:
    void weakestClass_data() {
        QTest::addColumn<QList<int>>("errors");
        QTest::addColumn<int>("expected");
        QTest::newRow("seed 001 like: 8 worst")
            << QList<int>{3, 1, 9, 12, 7, 14, 4, 10, 21, 18} << 8;
        QTest::newRow("tie: lowest position") << QList<int>{0, 5, 2, 5} << 1;
        QTest::newRow("no errors") << QList<int>{0, 0, 0} << -1;
        QTest::newRow("no classes") << QList<int>{} << -1;
    }
    void weakestClass() {
        QFETCH(QList<int>, errors);
        QFETCH(int, expected);
        Evaluation ev;
        ev.errorsPerClass.assign(errors.begin(), errors.end());
        QCOMPARE(lora::weakestClass(ev), expected);
    }

    void topProbabilitiesAreTheSoftmaxMaximum() {
        Matrix logits(3, 3);
        logits << 0, 0, 0,    // uniform: 1/3
            2, 0, 1,          // e²/(e²+1+e)
            1000, 999, -1000; // would overflow a plain exp: 1/(1+e⁻¹)
        const std::vector<float> top = topProbabilities(logits);
        QCOMPARE(top.size(), std::size_t(3));
        QVERIFY(std::abs(top[0] - 1.0f / 3.0f) < 1e-6f);
        const double e = std::exp(1.0);
        QVERIFY(std::abs(top[1] - float(e * e / (e * e + 1 + e))) < 1e-6f);
        QVERIFY(std::isfinite(top[2]));
        QVERIFY(std::abs(top[2] - float(1.0 / (1.0 + 1.0 / e))) < 1e-6f);
    }

    void mistakesInRowOrderUpToTheLimit() {
        Evaluation ev;
        ev.predictions = {0, 1, 1, 2, 0, 2};
        const std::vector<int> labels{0, 0, 1, 1, 1, 2};
        QCOMPARE(mistakeRows(ev, labels, 10), (std::vector<int>{1, 3, 4}));
        QCOMPARE(mistakeRows(ev, labels, 2), (std::vector<int>{1, 3}));
        ev.predictions = labels;
        QVERIFY(mistakeRows(ev, labels, 10).empty());
    }

    void leastConfidentFirst_data() {
        QTest::addColumn<int>("limit");
        QTest::addColumn<QList<int>>("expected");
        QTest::newRow("all") << 10 << QList<int>{3, 1, 4, 0, 2};
        QTest::newRow("two") << 2 << QList<int>{3, 1};
        QTest::newRow("none") << 0 << QList<int>{};
    }
    void leastConfidentFirst() {
        QFETCH(int, limit);
        QFETCH(QList<int>, expected);
        // Rows 1 and 4 tie: row order between them.
        const std::vector<float> top{0.9f, 0.6f, 0.99f, 0.4f, 0.6f};
        const std::vector<int> rows = leastConfidentRows(top, limit);
        QCOMPARE(QList<int>(rows.begin(), rows.end()), expected);
    }
};

QTEST_MAIN(TestPredictionStats)
#include "tst_prediction_stats.moc"
