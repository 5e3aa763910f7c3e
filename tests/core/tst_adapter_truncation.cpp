// FactorSvd (the SVD of s·BA from thin factors) against TruncatedSvd of the dense product:
// singular values, every truncation, exact reproduction at r′ = r, and Eckart–Young; then
// AdapterTruncation / viewOf: α rescaling, per-layer truncation and one-line refusals.
#include "linalg/adapter_truncation.h"
#include "random_matrix.h"
#include "train/adapter_view.h"
#include "util/error.h"

#include <QtTest>
#include <limits>

using namespace lora;

namespace {

// Relative to ‖s·BA‖_F: the float factors carry ~1e-7 relative rounding per entry.
double relativeGap(const Matrix& a, const Matrix& b, double norm) {
    return (a.cast<double>() - b.cast<double>()).norm() / std::max(norm, 1e-30);
}

AdapterWeights twoLayerAdapter(int rank0, int rank1, bool rslora) {
    Rng rng(7);
    AdapterWeights w;
    w.spec = {rank0, 8.0f, rslora, LoraInit::Kaiming};
    w.layers.push_back(
        {0, w.spec, test::randomMatrix(rank0, 12, rng), test::randomMatrix(9, rank0, rng)});
    LoraSpec second{rank1, 4.0f, rslora, LoraInit::Kaiming};
    w.layers.push_back(
        {1, second, test::randomMatrix(rank1, 9, rng), test::randomMatrix(3, rank1, rng)});
    return w;
}

} // namespace

class TestAdapterTruncation : public QObject {
    Q_OBJECT
private slots:
    // out, in, r: tall and wide layers, r below and above min(out, in).
    void matchesDenseSvd_data() {
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("r");
        QTest::addRow("40x30 r4") << 40 << 30 << 4;
        QTest::addRow("2x64 r4 (seed 000 fc2)") << 2 << 64 << 4;
        QTest::addRow("64x2 r4") << 64 << 2 << 4;
        QTest::addRow("25x25 r25") << 25 << 25 << 25;
        QTest::addRow("10x50 r1") << 10 << 50 << 1;
    }
    void matchesDenseSvd() {
        QFETCH(int, out);
        QFETCH(int, in);
        QFETCH(int, r);
        Rng rng(static_cast<std::uint64_t>(out * 1000 + in + r));
        const Matrix b = test::randomMatrix(out, r, rng), a = test::randomMatrix(r, in, rng);
        const double scale = 0.37;
        const Matrix dense = (scale * (b.cast<double>() * a.cast<double>())).cast<float>();
        const TruncatedSvd reference(dense);
        const FactorSvd thin(b, a, scale);
        const double norm = dense.cast<double>().norm();
        const Eigen::Index k = thin.singularValues().size();
        QCOMPARE(k, Eigen::Index(std::min({out, in, r})));
        QVERIFY((thin.singularValues() - reference.singularValues().head(k)).norm() < 1e-5 * norm);
        for (int rr = 1; rr <= r; ++rr) {
            const LowRankFactors f = thin.factors(rr);
            QCOMPARE(f.B.cols(), Eigen::Index(rr));
            QCOMPARE(f.A.rows(), Eigen::Index(rr));
            const Matrix mine = f.B * f.A;
            const int cut = std::min(rr, reference.maxRank());
            QVERIFY2(relativeGap(mine, reference.approximation(cut), norm) < 1e-5,
                     qPrintable(QStringLiteral("r′ = %1").arg(rr)));
            // Eckart–Young: the dropped norm is exactly the tail of the spectrum.
            const double error = (dense.cast<double>() - mine.cast<double>()).norm();
            QVERIFY(std::abs(error - thin.tailNorm(rr)) < 1e-5 * norm);
            QVERIFY(std::abs(error - reference.error(cut).frobenius) < 1e-5 * norm);
        }
        QVERIFY(relativeGap(thin.factors(r).B * thin.factors(r).A, dense, norm) < 1e-5);
        QCOMPARE(thin.tailNorm(r), 0.0);
    }

    // Eckart–Young's other half: no other rank-r′ product of the same shape comes closer.
    void noRandomFactorsBeatTheTruncation() {
        Rng rng(3);
        const Matrix b = test::randomMatrix(20, 6, rng), a = test::randomMatrix(6, 15, rng);
        const FactorSvd thin(b, a, 1.0);
        const Matrix dense = b * a;
        const LowRankFactors best = thin.factors(3);
        for (int trial = 0; trial < 20; ++trial) {
            // Rank 3 still: both factors nudged, near the optimum and far from it.
            const float step = trial < 10 ? 0.01f : 1.0f;
            const Matrix b3 = best.B + step * test::randomMatrix(20, 3, rng);
            const Matrix a3 = best.A + step * test::randomMatrix(3, 15, rng);
            QVERIFY((dense - b3 * a3).cast<double>().norm() > thin.tailNorm(3));
        }
    }

    void rejectsBadFactors_data() {
        QTest::addColumn<Matrix>("b");
        QTest::addColumn<Matrix>("a");
        QTest::addRow("empty") << Matrix(0, 0) << Matrix(0, 0);
        QTest::addRow("inner sizes differ")
            << Matrix(Matrix::Ones(3, 2)) << Matrix(Matrix::Ones(3, 4));
        Matrix nan = Matrix::Ones(2, 4);
        nan(1, 1) = std::numeric_limits<float>::quiet_NaN();
        QTest::addRow("NaN") << Matrix(Matrix::Ones(3, 2)) << nan;
    }
    void rejectsBadFactors() {
        QFETCH(Matrix, b);
        QFETCH(Matrix, a);
        QVERIFY_THROWS_EXCEPTION(InputError, FactorSvd(b, a, 1.0));
    }

    void rankOutsideTheRangeIsRefused() {
        const FactorSvd thin(Matrix::Ones(4, 2), Matrix::Ones(2, 5), 1.0);
        QVERIFY_THROWS_EXCEPTION(InputError, thin.factors(0));
        QVERIFY_THROWS_EXCEPTION(InputError, thin.factors(3));
        QVERIFY_THROWS_EXCEPTION(InputError, thin.tailNorm(-1));
    }

    // α alone: the trained factors stay bit for bit and ΔW scales by α_view/α_trained.
    void alphaOnlyKeepsTheFactors() {
        const AdapterWeights trained = twoLayerAdapter(4, 2, false);
        const AdapterWeights v = viewOf(trained, {32.0f, std::nullopt});
        QCOMPARE(v.spec.alpha, 32.0f);
        QCOMPARE(v.layers[0].spec.alpha, 32.0f);
        QCOMPARE(v.layers[1].spec.alpha, 4.0f * 4.0f); // its own α keeps the ratio (×4)
        for (std::size_t i = 0; i < 2; ++i) {
            QVERIFY(v.layers[i].A == trained.layers[i].A);
            QVERIFY(v.layers[i].B == trained.layers[i].B);
            const Matrix expected = 4.0f * trained.layers[i].delta();
            QVERIFY(relativeGap(v.layers[i].delta(), expected, expected.cast<double>().norm()) <
                    1e-6);
        }
    }

    // r′ truncates each layer to min(r′, r_layer); ΔW′ is the α-scaled best rank-r′ part.
    void truncationPerLayer_data() {
        QTest::addColumn<bool>("rslora");
        QTest::addRow("α/r") << false;
        QTest::addRow("α/√r") << true;
    }
    void truncationPerLayer() {
        QFETCH(bool, rslora);
        const AdapterWeights trained = twoLayerAdapter(4, 2, rslora);
        const AdapterTruncation truncation(trained);
        const AdapterWeights v = truncation.view({16.0f, 3});
        QCOMPARE(v.spec.rank, 3);
        QCOMPARE(v.layers[0].spec.rank, 3);
        QCOMPARE(v.layers[1].spec.rank, 2); // below r′: untouched
        QVERIFY(v.layers[1].A == trained.layers[1].A);
        const Matrix dense = trained.layers[0].delta();
        const Matrix expected = 2.0f * TruncatedSvd(dense).approximation(3);
        QVERIFY(relativeGap(v.layers[0].delta(), expected, expected.cast<double>().norm()) < 1e-5);
        QVERIFY(viewOf(trained, {16.0f, 3}).layers[0].B == v.layers[0].B); // one function
        const Mlp model("12-9-3");
        checkAdapter(model, v); // attachable as it is
        QCOMPARE(truncation.droppedShare(4), 0.0);
        QVERIFY(truncation.droppedShare(1) > truncation.droppedShare(3));
    }

    void badViewsAreRefused_data() {
        QTest::addColumn<float>("alpha");
        QTest::addColumn<int>("rank");
        QTest::addColumn<QString>("message");
        const float inf = std::numeric_limits<float>::infinity();
        QTest::addRow("rank 0") << 8.0f << 0 << "the truncation rank must be at least 1";
        QTest::addRow("rank above")
            << 8.0f << 5 << "the truncation rank 5 is above the adapter's rank 4";
        QTest::addRow("alpha 0") << 0.0f << 2 << "alpha must be a positive number";
        QTest::addRow("alpha negative") << -1.0f << 2 << "alpha must be a positive number";
        QTest::addRow("alpha inf") << inf << 2 << "alpha must be a positive number";
        QTest::addRow("alpha NaN")
            << std::numeric_limits<float>::quiet_NaN() << 2 << "alpha must be a positive number";
    }
    void badViewsAreRefused() {
        QFETCH(float, alpha);
        QFETCH(int, rank);
        QFETCH(QString, message);
        const AdapterWeights trained = twoLayerAdapter(4, 2, false);
        try {
            viewOf(trained, {alpha, rank});
            QFAIL("accepted");
        } catch (const InputError& e) {
            QCOMPARE(QString::fromStdString(e.what()), message);
        }
        QVERIFY_THROWS_EXCEPTION(InputError, AdapterTruncation(trained).view({alpha, rank}));
    }
};

QTEST_APPLESS_MAIN(TestAdapterTruncation)
#include "tst_adapter_truncation.moc"
