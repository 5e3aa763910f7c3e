// Numerical rank: the seed examples, a Gaussian low-rank product, a full-rank random matrix,
// explicit tolerances, and rejected input.
#include "error_of.h"
#include "gradcheck.h"
#include "linalg/rank.h"
#include "util/error.h"

#include <QtTest>
#include <limits>

using namespace lora;

namespace {

// The data rows name their matrix; Eigen types are not Qt metatypes.
Matrix buildCase(const QString& name) {
    Rng rng(0);
    if (name == "gaussian 10x2 * 2x10")
        return test::randomMatrix(10, 2, rng) * test::randomMatrix(2, 10, rng);
    if (name == "gaussian 20x30") return test::randomMatrix(20, 30, rng);
    if (name == "gaussian 30x20 * 20x1") // rank 1 from a tall product
        return test::randomMatrix(30, 20, rng) * test::randomMatrix(20, 1, rng) *
               test::randomMatrix(1, 25, rng);
    return rankExample(name.toStdString());
}

} // namespace

class TestRank : public QObject {
    Q_OBJECT
private slots:
    void numericalRankOfExamples_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("rank");
        QTest::addRow("[[1,2],[2,4]]") << "rank1" << 1;
        QTest::addRow("[[1,2],[3,4]]") << "rank2" << 2;
        QTest::addRow("zeros(3,3)") << "zeros" << 0;
        QTest::addRow("10x2 * 2x10") << "gaussian 10x2 * 2x10" << 2;
        QTest::addRow("random 20x30") << "gaussian 20x30" << 20;
        QTest::addRow("rank-1 30x25") << "gaussian 30x20 * 20x1" << 1;
    }
    void numericalRankOfExamples() {
        QFETCH(QString, name);
        QFETCH(int, rank);
        QCOMPARE(numericalRank(buildCase(name)), rank);
    }

    void exampleNamesAreBuildable() {
        const auto names = rankExampleNames();
        QCOMPARE(int(names.size()), 3);
        for (const auto& n : names) QVERIFY(rankExample(n).size() > 0);
        QCOMPARE(test::errorOf([] { rankExample("rank3"); }),
                 std::string("unknown example 'rank3' (expected rank1, rank2 or zeros)"));
    }

    // An explicit tolerance overrides the float-ε default in both directions.
    void explicitTolerance() {
        Eigen::VectorXd sigma(4);
        sigma << 10.0, 1.0, 1e-3, 1e-9;
        QCOMPARE(numericalRank(sigma, 4, 4), 3); // default: 10 · 4 · 1.19e-7 ≈ 4.8e-6
        QCOMPARE(numericalRank(sigma, 4, 4, 0.5), 2);
        QCOMPARE(numericalRank(sigma, 4, 4, 0.0), 4);
        QCOMPARE(numericalRank(sigma, 4, 4, 100.0), 0);
        QCOMPARE(numericalRank(Eigen::VectorXd(), 0, 0), 0);
        QCOMPARE(defaultRankTolerance(2.0, 3, 7),
                 2.0 * 7 * double(std::numeric_limits<float>::epsilon()));
    }

    void emptyIsRankZeroAndNonFiniteThrows() {
        QCOMPARE(numericalRank(Matrix(0, 4)), 0);
        Matrix w = Matrix::Ones(3, 3);
        w(1, 2) = std::numeric_limits<float>::quiet_NaN();
        QCOMPARE(test::errorOf([&] { numericalRank(w); }),
                 std::string("matrix has a non-finite entry"));
        w(1, 2) = std::numeric_limits<float>::infinity();
        QVERIFY_THROWS_EXCEPTION(InputError, numericalRank(w));
    }
};

QTEST_APPLESS_MAIN(TestRank)
#include "tst_rank.moc"
