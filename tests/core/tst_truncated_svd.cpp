// TruncatedSvd and RankSweep: SVD identities through the cached factors, the O(1) error curve
// against directly measured errors, Eckart–Young, seed 001's B A reconstruction, slider walks
// against fresh approximations, and rejected input. Entries are N(0, 1) unless stated, so
// absolute tolerances are relative to entries of size ~1.
#include "error_of.h"
#include "gradcheck.h"
#include "linalg/rank.h"
#include "linalg/truncated_svd.h"
#include "util/error.h"

#include <QtTest>
#include <limits>

using namespace lora;

namespace {

Matrix gaussian(int m, int n, std::uint64_t seed) {
    Rng rng(seed);
    return test::randomMatrix(m, n, rng);
}

double directError(const Matrix& w, const Matrix& wr) {
    return (w.cast<double>() - wr.cast<double>()).norm();
}

void addShapeRows() {
    QTest::addColumn<int>("m");
    QTest::addColumn<int>("n");
    QTest::addRow("8x5 tall") << 8 << 5;
    QTest::addRow("5x8 wide") << 5 << 8;
    QTest::addRow("6x6 square") << 6 << 6;
    QTest::addRow("1x7 row") << 1 << 7;
    QTest::addRow("7x1 column") << 7 << 1;
    QTest::addRow("1x1") << 1 << 1;
}

} // namespace

class TestTruncatedSvd : public QObject {
    Q_OBJECT
private slots:
    // UᵀU = I and VᵀV = I, seen through the factors: A Aᵀ = I, Bᵀ B = diag(σ²); tolerance 1e-5
    // (float factors), on B relative to σ_max².
    void factorsAreOrthogonal_data() { addShapeRows(); }
    void factorsAreOrthogonal() {
        QFETCH(int, m);
        QFETCH(int, n);
        const TruncatedSvd svd(gaussian(m, n, 1));
        const int k = svd.maxRank();
        QCOMPARE(k, std::min(m, n));
        const LowRankFactors f = svd.factors(k);
        QCOMPARE(f.B.rows(), Eigen::Index(m));
        QCOMPARE(f.B.cols(), Eigen::Index(k));
        QCOMPARE(f.A.rows(), Eigen::Index(k));
        QCOMPARE(f.A.cols(), Eigen::Index(n));
        const Eigen::MatrixXd a = f.A.cast<double>(), b = f.B.cast<double>();
        QVERIFY((a * a.transpose() - Eigen::MatrixXd::Identity(k, k)).cwiseAbs().maxCoeff() < 1e-5);
        const Eigen::VectorXd s2 = svd.singularValues().array().square();
        const Eigen::MatrixXd gram = b.transpose() * b;
        QVERIFY((gram - Eigen::MatrixXd(s2.asDiagonal())).cwiseAbs().maxCoeff() < 1e-5 * s2[0]);
        for (int i = 1; i < k; ++i) QVERIFY(svd.singularValues()[i] <= svd.singularValues()[i - 1]);
        QVERIFY(svd.singularValues()[k - 1] >= 0.0);
        // approximation(k) is W itself, to float rounding.
        QVERIFY((svd.approximation(k) - svd.matrix()).cwiseAbs().maxCoeff() < 1e-5f);
        QCOMPARE(svd.factors(0).B.cols(), Eigen::Index(0));
        QCOMPARE(svd.factors(0).A.rows(), Eigen::Index(0));
    }

    // error(r) against ‖W − approximation(r)‖_F measured in double; both sides agree to
    // 1e-5 · ‖W‖_F (float rounding of W_r).
    void errorMatchesDirectMeasurement_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<QList<int>>("ranks"); // empty = every r
        QTest::addRow("9x6 every r") << 9 << 6 << QList<int>{};
        QTest::addRow("6x9 every r") << 6 << 9 << QList<int>{};
        QTest::addRow("1x5 every r") << 1 << 5 << QList<int>{};
        QTest::addRow("64x784") << 64 << 784 << QList<int>{0, 1, 8, 31, 32, 33, 63, 64};
    }
    void errorMatchesDirectMeasurement() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(QList<int>, ranks);
        const TruncatedSvd svd(gaussian(m, n, 2));
        if (ranks.isEmpty())
            for (int r = 0; r <= svd.maxRank(); ++r) ranks << r;
        const double tol = 1e-5 * svd.frobeniusNorm();
        for (int r : ranks) {
            const double direct = directError(svd.matrix(), svd.approximation(r));
            QVERIFY2(std::abs(svd.error(r).frobenius - direct) < tol,
                     qPrintable(QString::number(r)));
        }
    }

    // Frobenius error non-increasing, energy non-decreasing, exact end points.
    void errorCurveShape() {
        const TruncatedSvd svd(gaussian(12, 20, 3));
        const auto curve = svd.errorCurve();
        QCOMPARE(int(curve.size()), svd.maxRank() + 1);
        for (int r = 1; r <= svd.maxRank(); ++r) {
            QCOMPARE(curve[r].rank, r);
            QVERIFY(curve[r].frobenius < curve[r - 1].frobenius);
            QVERIFY(curve[r].energy > curve[r - 1].energy);
            QCOMPARE(curve[r].frobenius, svd.error(r).frobenius);
        }
        QCOMPARE(curve[0].energy, 0.0);
        QCOMPARE(curve[0].relative, 1.0);
        QCOMPARE(curve[0].frobenius, svd.frobeniusNorm());
        QCOMPARE(curve.back().energy, 1.0);
        QCOMPARE(curve.back().frobenius, 0.0);
        QVERIFY(std::abs(svd.frobeniusNorm() - svd.matrix().cast<double>().norm()) <
                1e-9 * svd.frobeniusNorm());
    }

    // Eckart–Young: no rank-r matrix beats W_r; 20 random rank-r products per r all lose.
    void eckartYoung() {
        const TruncatedSvd svd(gaussian(15, 25, 4));
        Rng rng(40);
        for (int r : {1, 3, 7, 14}) {
            QCOMPARE(numericalRank(svd.approximation(r)), r);
            for (int trial = 0; trial < 20; ++trial) {
                const Matrix p = test::randomMatrix(15, r, rng) * test::randomMatrix(r, 25, rng);
                QVERIFY(directError(svd.matrix(), p) > svd.error(r).frobenius);
            }
        }
    }

    // Seed 001: W = (10×2)(2×10) Gaussian from Rng(0) has rank 2, and with B, A = factors(2)
    // y = W x + b and y′ = B (A x) + b agree to 1e-5 relative to max |y|.
    void seed001LowRankReconstruction() {
        Rng rng(0);
        const Matrix w = test::randomMatrix(10, 2, rng) * test::randomMatrix(2, 10, rng);
        const TruncatedSvd svd(w);
        QCOMPARE(svd.numericalRank(), 2);
        QVERIFY(svd.error(2).relative < 1e-6);
        const LowRankFactors f = svd.factors(2);
        const Eigen::VectorXf x = test::randomMatrix(10, 1, rng);
        const Eigen::VectorXf b = test::randomMatrix(10, 1, rng);
        const Eigen::VectorXf y = w * x + b;
        const Eigen::VectorXf yLow = f.B * (f.A * x) + b;
        QVERIFY((y - yLow).cwiseAbs().maxCoeff() <= 1e-5f * y.cwiseAbs().maxCoeff());
    }

    // Random slider walks (±1 ticks, jumps to 0 and k, arbitrary targets) agree with a fresh
    // approximation(r) to 1e-4 max abs after every move.
    void sweepFollowsFreshApproximation_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("moves");
        QTest::addColumn<int>("tickPercent"); // share of ±1 moves; the rest split over jumps
        QTest::addRow("40x60 mixed") << 40 << 60 << 300 << 60;
        QTest::addRow("60x40 mixed") << 60 << 40 << 300 << 60;
        QTest::addRow("40x60 ticks only") << 40 << 60 << 2000 << 100;
        QTest::addRow("1x9 mixed") << 1 << 9 << 300 << 50;
    }
    void sweepFollowsFreshApproximation() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, moves);
        QFETCH(int, tickPercent);
        const TruncatedSvd svd(gaussian(m, n, 5));
        const int k = svd.maxRank();
        RankSweep sweep(svd);
        QCOMPARE(sweep.rank(), 0);
        QCOMPARE(sweep.current().cwiseAbs().maxCoeff(), 0.0f);
        Rng rng(50);
        int r = 0;
        for (int i = 0; i < moves; ++i) {
            const int roll = int(rng.below(100));
            if (roll < tickPercent)
                r = std::clamp(r + (rng.below(2) ? 1 : -1), 0, k);
            else if (roll % 3 == 0)
                r = 0;
            else if (roll % 3 == 1)
                r = k;
            else
                r = int(rng.below(std::uint64_t(k) + 1));
            const Matrix& got = sweep.moveTo(r);
            QCOMPARE(&got, &sweep.current());
            QCOMPARE(sweep.rank(), r);
            const float diff = (got - svd.approximation(r)).cwiseAbs().maxCoeff();
            QVERIFY2(diff < 1e-4f,
                     qPrintable(QString("move %1 to r=%2: %3").arg(i).arg(r).arg(diff)));
        }
    }

    void rejectsRanksOutsideTheRange_data() {
        QTest::addColumn<int>("r");
        QTest::addRow("-1") << -1;
        QTest::addRow("k+1") << 6;
        QTest::addRow("huge") << 1000000;
    }
    void rejectsRanksOutsideTheRange() {
        QFETCH(int, r);
        const TruncatedSvd svd(gaussian(5, 7, 6));
        RankSweep sweep(svd);
        const std::string message = "rank " + std::to_string(r) + " is outside 0..5";
        QCOMPARE(test::errorOf([&] { svd.error(r); }), message);
        QCOMPARE(test::errorOf([&] { svd.factors(r); }), message);
        QCOMPARE(test::errorOf([&] { svd.approximation(r); }), message);
        QCOMPARE(test::errorOf([&] { sweep.moveTo(r); }), message);
        QCOMPARE(sweep.rank(), 0); // a rejected move leaves the sweep where it was
    }

    void rejectsBadMatrices() {
        Matrix w = gaussian(3, 4, 7);
        w(2, 1) = std::numeric_limits<float>::quiet_NaN();
        QCOMPARE(test::errorOf([&] { TruncatedSvd svd(w); }),
                 std::string("matrix has a non-finite entry"));
        w(2, 1) = -std::numeric_limits<float>::infinity();
        QVERIFY_THROWS_EXCEPTION(InputError, TruncatedSvd{w});
        QCOMPARE(test::errorOf([] { TruncatedSvd svd(Matrix(0, 3)); }),
                 std::string("cannot decompose an empty 0x3 matrix"));
        QVERIFY_THROWS_EXCEPTION(InputError, TruncatedSvd{Matrix(4, 0)});
    }

    // W = 0: every rank reproduces it; no error and full energy by convention.
    void zeroMatrix() {
        const TruncatedSvd svd(Matrix::Zero(3, 4));
        QCOMPARE(svd.numericalRank(), 0);
        QCOMPARE(svd.frobeniusNorm(), 0.0);
        for (int r = 0; r <= 3; ++r) {
            QCOMPARE(svd.error(r).relative, 0.0);
            QCOMPARE(svd.error(r).energy, 1.0);
            QCOMPARE(svd.approximation(r).cwiseAbs().maxCoeff(), 0.0f);
        }
    }
};

QTEST_APPLESS_MAIN(TestTruncatedSvd)
#include "tst_truncated_svd.moc"
