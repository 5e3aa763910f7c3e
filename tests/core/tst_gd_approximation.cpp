// Seed 002: gradient descent on ‖BA − W‖²/(mn) plateaus on the truncated SVD's optimum; the
// improvement table, gradients, determinism, cancellation and option checking.
#include "error_of.h"
#include "gradcheck.h"
#include "linalg/gd_approximation.h"

#include <Eigen/SVD>
#include <QtTest>
#include <cmath>
#include <stop_token>

using namespace lora;

class TestGdApproximation : public QObject {
    Q_OBJECT
private slots:
    // The tutorial's setting: 8×8 N(0, 1) matrix, rank 2, 1000 Adam steps at lr 0.01.
    void seed002Setting() {
        Rng rng(0);
        const Matrix w = gaussianMatrix(8, 8, rng);
        const GdApproxResult r = approximateByGradientDescent(w, GdApproxOptions{});
        QCOMPARE(r.curve.size(), std::size_t(1001));
        QVERIFY(!r.stopped);
        QVERIFY(r.B.rows() == 8 && r.B.cols() == 2 && r.A.rows() == 2 && r.A.cols() == 8);
        const double meanSquare = w.cast<double>().squaredNorm() / 64.0;
        QVERIFY(std::abs(r.initialLoss - meanSquare) <= 1e-6 * meanSquare); // B = 0 at init
        QCOMPARE(r.gdLoss, r.curve.back());
        // Eckart–Young by a different SVD than the library's, so the bound is checked, not echoed.
        const Eigen::JacobiSVD<Eigen::MatrixXd> svd(w.cast<double>());
        const double optimum = svd.singularValues().tail(6).squaredNorm() / 64.0;
        QVERIFY(std::abs(r.svdLoss - optimum) <= 1e-9 * optimum);
        QVERIFY(r.gapPercent < 1.0);
        QVERIFY(r.gapPercent > -1e-3); // nothing beats Eckart–Young beyond float rounding
        QVERIFY(r.gdLoss < 0.5 * r.initialLoss);

        QCOMPARE(int(r.table.size()), 11);
        for (std::size_t i = 0; i < r.table.size(); ++i) {
            const ImprovementRow& row = r.table[i];
            QCOMPARE(row.iteration, int(i) * 100);
            QCOMPARE(row.loss, r.curve[std::size_t(row.iteration)]);
            const double expected = (r.initialLoss - row.loss) / r.initialLoss * 100.0;
            QVERIFY(std::abs(row.improvementPercent - expected) < 1e-9);
        }
        QCOMPARE(r.table.front().improvementPercent, 0.0);
        const double svdImprovement = (r.initialLoss - r.svdLoss) / r.initialLoss * 100.0;
        QVERIFY(std::abs(r.table.back().improvementPercent - svdImprovement) < 1.0);
        qInfo("initial %.6f gd %.6f svd %.6f gap %.6f %% improvement %.2f %% (SVD %.2f %%)",
              r.initialLoss, r.gdLoss, r.svdLoss, r.gapPercent, r.table.back().improvementPercent,
              svdImprovement);
        for (const ImprovementRow& row : r.table)
            qInfo("%-6d %.6f %6.2f%%", row.iteration, row.loss, row.improvementPercent);
    }

    void reachesTheSvdOptimum_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("seed");
        QTest::addColumn<QString>("optimizer");
        QTest::addColumn<float>("lr");
        const int shapes[][3] = {{8, 8, 1}, {8, 8, 2}, {8, 8, 4}, {16, 12, 3}};
        for (const auto& s : shapes)
            for (int seed = 0; seed < 5; ++seed)
                QTest::addRow("%dx%d r%d seed %d adam", s[0], s[1], s[2], seed)
                    << s[0] << s[1] << s[2] << seed << QString("adam") << 0.01f;
        // The mean makes plain SGD's gradients small (2/(mn) factor), hence the larger step.
        for (int seed = 0; seed < 5; ++seed)
            QTest::addRow("8x8 r2 seed %d sgd", seed)
                << 8 << 8 << 2 << seed << QString("sgd") << 2.0f;
    }
    void reachesTheSvdOptimum() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, rank);
        QFETCH(int, seed);
        QFETCH(QString, optimizer);
        QFETCH(float, lr);
        Rng rng{std::uint64_t(seed)};
        const Matrix w = gaussianMatrix(rows, cols, rng);
        const GdApproxOptions options{rank, 1000, optimizer.toStdString(), lr, std::uint64_t(seed)};
        const GdApproxResult r = approximateByGradientDescent(w, options);
        QVERIFY2(r.gapPercent < 1.0 && r.gapPercent > -1e-3,
                 qPrintable(QString::number(r.gapPercent)));
        // Non-increasing from one report row to the next, up to float rounding of the loss.
        for (std::size_t i = 1; i < r.table.size(); ++i)
            QVERIFY(r.table[i].loss <= r.table[i - 1].loss + 1e-6 * r.initialLoss);
    }

    void gradientMatchesFiniteDifferences_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<int>("rank");
        QTest::newRow("8x8 r2") << 8 << 8 << 2;
        QTest::newRow("5x7 r3") << 5 << 7 << 3;
        QTest::newRow("16x12 r1") << 16 << 12 << 1;
    }
    void gradientMatchesFiniteDifferences() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(int, rank);
        Rng rng(21);
        const Matrix w = test::randomMatrix(rows, cols, rng);
        Matrix b = test::randomMatrix(rows, rank, rng, 0.7f); // non-zero, so dA is non-trivial
        Matrix a = test::randomMatrix(rank, cols, rng, 0.7f);
        Matrix dB = Matrix::Zero(rows, rank), dA = Matrix::Zero(rank, cols);
        const double loss = approximationLoss(w, b, a, &dB, &dA);
        QCOMPARE(approximationLoss(w, b, a), loss);
        QVERIFY(std::abs(loss - (b * a - w).cast<double>().squaredNorm() / (rows * cols)) < 1e-6);
        const auto f = [&] { return approximationLoss(w, b, a); };
        // L is quadratic in each single entry, so central differences are exact up to rounding.
        QVERIFY(test::maxGradError(b.data(), dB.data(), std::size_t(b.size()), f) < 1e-4);
        QVERIFY(test::maxGradError(a.data(), dA.data(), std::size_t(a.size()), f) < 1e-4);
        // The gradient is added, not assigned, as in the layers' backward.
        const Matrix once = dA;
        approximationLoss(w, b, a, nullptr, &dA);
        QVERIFY((dA - 2.0f * once).cwiseAbs().maxCoeff() < 1e-6f);
    }

    void sameSeedIsBitIdentical() {
        Rng rng(4);
        const Matrix w = gaussianMatrix(16, 12, rng);
        GdApproxOptions options;
        options.rank = 3;
        options.seed = 9;
        const GdApproxResult r1 = approximateByGradientDescent(w, options);
        const GdApproxResult r2 = approximateByGradientDescent(w, options);
        QVERIFY(r1.curve == r2.curve);
        QVERIFY(r1.A == r2.A && r1.B == r2.B);
        options.seed = 10;
        QVERIFY(approximateByGradientDescent(w, options).curve[1] != r1.curve[1]);
    }

    void stopTokenEndsTheRunEarly() {
        Rng rng(0);
        const Matrix w = gaussianMatrix(8, 8, rng);
        std::stop_source source;
        std::vector<double> seen; // onStep(step, loss) arrives in order, one call per step
        const GdApproxResult r = approximateByGradientDescent(
            w, GdApproxOptions{},
            [&](int step, double loss) {
                QCOMPARE(step, int(seen.size()) + 1);
                seen.push_back(loss);
                if (step == 10) source.request_stop();
            },
            source.get_token());
        QVERIFY(r.stopped);
        QCOMPARE(r.curve.size(), std::size_t(11));
        QVERIFY(std::vector<double>(r.curve.begin() + 1, r.curve.end()) == seen);
        QCOMPARE(r.table.back().iteration, 10);
        QCOMPARE(r.gdLoss, r.curve[10]);

        std::stop_source already;
        already.request_stop();
        const GdApproxResult none =
            approximateByGradientDescent(w, GdApproxOptions{}, {}, already.get_token());
        QVERIFY(none.stopped);
        QCOMPARE(none.curve.size(), std::size_t(1));
    }

    void tableRows_data() {
        QTest::addColumn<int>("steps");
        QTest::addColumn<int>("every");
        QTest::addColumn<QList<int>>("iterations");
        QTest::newRow("250 by 100") << 250 << 100 << QList<int>{0, 100, 200, 250};
        QTest::newRow("no steps") << 0 << 100 << QList<int>{0};
        QTest::newRow("7 by 10") << 7 << 10 << QList<int>{0, 7};
        QTest::newRow("3 by 1") << 3 << 1 << QList<int>{0, 1, 2, 3};
    }
    void tableRows() {
        QFETCH(int, steps);
        QFETCH(int, every);
        QFETCH(QList<int>, iterations);
        Rng rng(2);
        GdApproxOptions options;
        options.steps = steps;
        options.reportEvery = every;
        const GdApproxResult r = approximateByGradientDescent(gaussianMatrix(8, 8, rng), options);
        QCOMPARE(r.curve.size(), std::size_t(steps + 1));
        QList<int> got;
        for (const ImprovementRow& row : r.table) got.append(row.iteration);
        QCOMPARE(got, iterations);
    }

    // W = 0 must not turn the improvement column into NaN. At r = min(m, n) the optimum is
    // exactly 0, so any float residual is an infinite relative gap.
    void degenerateOptima() {
        const GdApproxResult zero = approximateByGradientDescent(Matrix::Zero(4, 4), {});
        QVERIFY(zero.initialLoss == 0.0 && zero.gdLoss == 0.0 && zero.gapPercent == 0.0);
        for (const ImprovementRow& row : zero.table) QCOMPARE(row.improvementPercent, 0.0);
        Rng rng(0);
        GdApproxOptions options;
        options.rank = 8;
        const GdApproxResult r = approximateByGradientDescent(gaussianMatrix(8, 8, rng), options);
        QCOMPARE(r.svdLoss, 0.0);
        QVERIFY(r.gdLoss < 1e-6 * r.initialLoss);
        QVERIFY(r.gdLoss == 0.0 ? r.gapPercent == 0.0 : std::isinf(r.gapPercent));
    }

    void rejectsBadOptions_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("steps");
        QTest::addColumn<float>("lr");
        QTest::addColumn<QString>("optimizer");
        QTest::addColumn<int>("every");
        QTest::addColumn<QString>("message");
        const QString rankMsg = "rank must be in 1..8 for a 8x8 matrix (got %1)";
        const QString lrMsg = "learning rate must be a finite positive number";
        QTest::newRow("ok") << 2 << 0 << 0.01f << "sgd" << 1 << "(no error)";
        for (int rank : {0, 9})
            QTest::addRow("rank %d", rank)
                << rank << 10 << 0.01f << "adam" << 1 << rankMsg.arg(rank);
        for (int steps : {-1, 1000001})
            QTest::addRow("steps %d", steps)
                << 2 << steps << 0.01f << "adam" << 1
                << QString("steps must be in 0..1000000 (got %1)").arg(steps);
        for (float lr : {0.0f, -1.0f, NAN, INFINITY})
            QTest::addRow("lr %g", double(lr)) << 2 << 10 << lr << "adam" << 1 << lrMsg;
        QTest::newRow("optimizer") << 2 << 10 << 0.01f << "rmsprop" << 1
                                   << "optimizer must be adam or sgd (got 'rmsprop')";
        QTest::newRow("report-every")
            << 2 << 10 << 0.01f << "adam" << 0 << "report-every must be at least 1 (got 0)";
    }
    void rejectsBadOptions() {
        QFETCH(int, rank);
        QFETCH(int, steps);
        QFETCH(float, lr);
        QFETCH(QString, optimizer);
        QFETCH(int, every);
        QFETCH(QString, message);
        const GdApproxOptions options{rank, steps, optimizer.toStdString(), lr, 0, every};
        QCOMPARE(test::qErrorOf([&] { options.validate(8, 8); }), message);
        const auto run = [&] { approximateByGradientDescent(Matrix::Ones(8, 8), options); };
        QCOMPARE(test::qErrorOf(run), message);
    }

    void rejectsBadMatrices() {
        QCOMPARE(test::qErrorOf([] { approximateByGradientDescent(Matrix(0, 8), {}); }),
                 QString("cannot approximate an empty 0x8 matrix"));
        Matrix w = Matrix::Ones(4, 4);
        w(1, 2) = NAN;
        QCOMPARE(test::qErrorOf([&] { approximateByGradientDescent(w, {}); }),
                 QString("matrix has a non-finite entry"));
        const GdApproxOptions sgd{2, 1000, "sgd", 1e4f};
        QVERIFY(test::qErrorOf([&] {
                    approximateByGradientDescent(Matrix::Ones(4, 4), sgd);
                }).startsWith("gradient descent diverged at step "));
    }
};

QTEST_APPLESS_MAIN(TestGdApproximation)
#include "tst_gd_approximation.moc"
