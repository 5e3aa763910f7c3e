// The LoRA paper's §7 analyses: spectrum and numerical rank of ΔW = s·BA, subspace similarity
// φ of two adapters' A, and the amplification of W's directions (Table 7).
#include "error_of.h"
#include "gradcheck.h"
#include "linalg/adapter_analysis.h"

#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>
#include <QtTest>
#include <cmath>

using namespace lora;

namespace {

// [out, in] with chosen singular values σ and random orthonormal singular vectors.
Matrix withSpectrum(int out, int in, const Eigen::VectorXd& sigma, Rng& rng) {
    const auto orthonormal = [&](int rows) {
        const Eigen::MatrixXd g = test::randomMatrix(rows, int(sigma.size()), rng).cast<double>();
        const Eigen::HouseholderQR<Eigen::MatrixXd> qr(g);
        return Eigen::MatrixXd(qr.householderQ() * Eigen::MatrixXd::Identity(rows, sigma.size()));
    };
    const Eigen::MatrixXd u = orthonormal(out), v = orthonormal(in);
    return (u * sigma.asDiagonal() * v.transpose()).cast<float>();
}

} // namespace

class TestAdapterAnalysis : public QObject {
    Q_OBJECT
private slots:
    void spectrumOfALowRankUpdate_data() {
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("scale");
        QTest::newRow("64x784 r4 s2") << 64 << 784 << 4 << 2.0f;
        QTest::newRow("10x64 r1 s0.5") << 10 << 64 << 1 << 0.5f;
        QTest::newRow("32x32 r8 s1") << 32 << 32 << 8 << 1.0f;
    }
    void spectrumOfALowRankUpdate() {
        QFETCH(int, out);
        QFETCH(int, in);
        QFETCH(int, rank);
        QFETCH(float, scale);
        Rng rng(17);
        const Matrix b = test::randomMatrix(out, rank, rng), a = test::randomMatrix(rank, in, rng);
        const Matrix delta = scale * (b * a); // [out, in]
        const Spectrum s = spectrumOf(delta);
        QCOMPARE(s.numericalRank, rank);
        QCOMPARE(s.singularValues.size(), Eigen::Index(std::min(out, in)));
        // Independently: σ² are the eigenvalues of ΔW ΔWᵀ [out, out] (ascending there).
        const Eigen::MatrixXd d = delta.cast<double>();
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(d * d.transpose());
        const Eigen::VectorXd lambda = eig.eigenvalues().reverse().cwiseMax(0.0);
        const double top = s.singularValues(0);
        for (Eigen::Index i = 0; i < s.singularValues.size(); ++i)
            QVERIFY(std::abs(s.singularValues(i) - std::sqrt(lambda(i))) < 1e-4 * top);
        QVERIFY(std::abs(s.frobeniusNorm - d.norm()) < 1e-12 * d.norm());
        QVERIFY(std::abs(s.frobeniusNorm - s.singularValues.norm()) < 1e-9 * d.norm());
    }

    void energyInTopR_data() {
        QTest::addColumn<int>("r");
        QTest::addColumn<double>("energy");
        QTest::newRow("none") << 0 << 0.0;
        QTest::newRow("top 1") << 1 << 16.0 / 26.0; // σ = 4, 3, 1
        QTest::newRow("top 2") << 2 << 25.0 / 26.0;
        QTest::newRow("all") << 3 << 1.0;
        QTest::newRow("beyond") << 9 << 1.0;
    }
    void energyInTopR() {
        QFETCH(int, r);
        QFETCH(double, energy);
        Matrix d = Matrix::Zero(3, 5);
        d(0, 2) = 3;
        d(1, 0) = -4;
        d(2, 4) = 1;
        QVERIFY(std::abs(energyInTop(spectrumOf(d), r) - energy) < 1e-12);
        QCOMPARE(energyInTop(spectrumOf(Matrix::Zero(2, 2)), r), 1.0);
    }

    void spectrumRejectsNonFinite() {
        Matrix d = Matrix::Ones(3, 3);
        d(0, 0) = INFINITY;
        QCOMPARE(test::qErrorOf([&] { spectrumOf(d); }), QString("ΔW has a non-finite entry"));
        QCOMPARE(spectrumOf(Matrix::Zero(3, 2)).numericalRank, 0);
    }

    void similarityOfAnAdapterWithItself() {
        Rng rng(3);
        const Matrix a = test::randomMatrix(8, 100, rng);
        const Eigen::MatrixXd grid = subspaceSimilarity(a, a);
        QCOMPARE(grid.rows(), Eigen::Index(8));
        QCOMPARE(grid.cols(), Eigen::Index(8));
        for (int i = 0; i < 8; ++i) QVERIFY(std::abs(grid(i, i) - 1.0) < 1e-5);
        QVERIFY(grid.minCoeff() >= 0.0 && grid.maxCoeff() <= 1.0);
        // Nested subspaces of the same vectors: the smaller lies inside the larger.
        QVERIFY(std::abs(grid(1, 6) - 1.0) < 1e-5);
    }

    // φ depends only on the row space: mixing A's rows by any invertible R changes nothing at r.
    void similarityIgnoresRowMixing_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("in");
        QTest::newRow("r4 in 50") << 4 << 50;
        QTest::newRow("r8 in 784") << 8 << 784;
        QTest::newRow("r3 in 3") << 3 << 3;
    }
    void similarityIgnoresRowMixing() {
        QFETCH(int, rank);
        QFETCH(int, in);
        Rng rng(5);
        const Matrix a = test::randomMatrix(rank, in, rng);
        const Matrix mix = test::randomMatrix(rank, rank, rng) +
                           Matrix::Identity(rank, rank) * float(rank); // well conditioned
        const Matrix mixed = mix * a;
        const Eigen::MatrixXd grid = subspaceSimilarity(a, mixed);
        QVERIFY(std::abs(grid(rank - 1, rank - 1) - 1.0) < 1e-5);
        QVERIFY(grid.minCoeff() >= 0.0 && grid.maxCoeff() <= 1.0);
    }

    // Two random r-dimensional subspaces of R^in overlap by E[φ(r, r)] = r / in = 0.008 here.
    void independentAdaptersAreDissimilar() {
        Rng rng(8);
        const Matrix a1 = test::randomMatrix(8, 1000, rng), a2 = test::randomMatrix(8, 1000, rng);
        const Eigen::MatrixXd grid = subspaceSimilarity(a1, a2);
        QVERIFY2(grid(7, 7) < 0.05, qPrintable(QString::number(grid(7, 7))));
        QVERIFY(grid.maxCoeff() < 0.1);
    }

    void similarityGridShape_data() {
        QTest::addColumn<int>("r1");
        QTest::addColumn<int>("r2");
        QTest::newRow("8x64") << 8 << 64;
        QTest::newRow("1x4") << 1 << 4;
        QTest::newRow("16x2") << 16 << 2;
        QTest::newRow("60x3, wider than the input") << 60 << 3;
    }
    void similarityGridShape() {
        QFETCH(int, r1);
        QFETCH(int, r2);
        Rng rng(6);
        const Eigen::MatrixXd grid =
            subspaceSimilarity(test::randomMatrix(r1, 40, rng), test::randomMatrix(r2, 40, rng));
        QCOMPARE(grid.rows(), Eigen::Index(r1));
        QCOMPARE(grid.cols(), Eigen::Index(r2));
        QVERIFY(grid.minCoeff() >= 0.0 && grid.maxCoeff() <= 1.0);
        // More rows than the 40 inputs: A's row space is all of R^40 and contains any other.
        if (r1 >= 40)
            for (int j = 0; j < r2; ++j) QVERIFY(std::abs(grid(r1 - 1, j) - 1.0) < 1e-9);
    }

    void similarityRejectsBadInput() {
        Rng rng(1);
        const Matrix a = test::randomMatrix(4, 10, rng), b = test::randomMatrix(4, 12, rng);
        QCOMPARE(test::qErrorOf([&] { subspaceSimilarity(a, b); }),
                 QString("the two A matrices have different input widths (4x10 and 4x12)"));
        QCOMPARE(test::qErrorOf([&] { subspaceSimilarity(Matrix(0, 10), a); }),
                 QString("the first A is empty (0x10)"));
    }

    // ΔW = c·u₁v₁ᵀ on W's own top direction: it amplifies nothing new, factor = c / σ₁.
    void updateAlongTheTopDirection() {
        Rng rng(2);
        const Eigen::VectorXd sigma = (Eigen::VectorXd(4) << 5.0, 3.0, 1.0, 0.5).finished();
        const Matrix w = withSpectrum(20, 30, sigma, rng);
        const Eigen::BDCSVD<Eigen::MatrixXd> svd(w.cast<double>(),
                                                 Eigen::ComputeThinU | Eigen::ComputeThinV);
        const double c = 0.7;
        const Matrix delta =
            (c * svd.matrixU().col(0) * svd.matrixV().col(0).transpose()).cast<float>();
        const Amplification a = amplification(w, delta, 1, rng);
        QCOMPARE(a.rank, 1);
        QVERIFY(std::abs(a.projectionOnDelta - a.projectionOnWeight) < 1e-4 * a.projectionOnWeight);
        QVERIFY(std::abs(a.projectionOnWeight - 5.0) < 1e-4 * 5.0);
        QVERIFY(std::abs(a.factor - c / 5.0) < 1e-4 * (c / 5.0));
        QVERIFY(std::abs(a.deltaNorm - c) < 1e-5);
        QVERIFY(std::abs(a.weightNorm - sigma.norm()) < 1e-4 * sigma.norm());
    }

    // Along W's weakest direction the same update is amplified σ₁/σ₄ = 10 times more.
    void updateAlongAWeakDirection() {
        Rng rng(2);
        const Eigen::VectorXd sigma = (Eigen::VectorXd(4) << 5.0, 3.0, 1.0, 0.5).finished();
        const Matrix w = withSpectrum(20, 30, sigma, rng);
        const Eigen::BDCSVD<Eigen::MatrixXd> svd(w.cast<double>(),
                                                 Eigen::ComputeThinU | Eigen::ComputeThinV);
        const Matrix delta =
            (0.7 * svd.matrixU().col(3) * svd.matrixV().col(3).transpose()).cast<float>();
        const Amplification a = amplification(w, delta, 1, rng);
        QVERIFY(std::abs(a.projectionOnDelta - 0.5) < 1e-3);
        QVERIFY(std::abs(a.factor - 0.7 / 0.5) < 1e-2);
    }

    void projectionOnWeightIsTheTopEnergy_data() {
        QTest::addColumn<int>("rank");
        QTest::newRow("r1") << 1;
        QTest::newRow("r4") << 4;
        QTest::newRow("r16") << 16;
    }
    void projectionOnWeightIsTheTopEnergy() {
        QFETCH(int, rank);
        Rng rng(12);
        const Matrix w = test::randomMatrix(48, 32, rng), delta = test::randomMatrix(48, 32, rng);
        const Amplification a = amplification(w, delta, rank, rng);
        const Eigen::JacobiSVD<Eigen::MatrixXd> svd(w.cast<double>());
        const double expected = svd.singularValues().head(rank).norm();
        QVERIFY(std::abs(a.projectionOnWeight - expected) < 1e-9 * expected);
        QVERIFY(a.projectionOnDelta <= a.projectionOnWeight * (1 + 1e-9)); // W's top is optimal
        QVERIFY(a.projectionOnRandom <= a.projectionOnWeight * (1 + 1e-9));
    }

    // Geometric decay σᵢ = 2⁻ⁱ: a random r-subspace catches only about r/dim of the top energy.
    void randomDirectionsCatchLittleOfADecayingSpectrum() {
        Rng rng(4);
        Eigen::VectorXd sigma(32);
        for (int i = 0; i < 32; ++i) sigma(i) = std::pow(2.0, -i);
        const Matrix w = withSpectrum(64, 48, sigma, rng);
        const Amplification a = amplification(w, test::randomMatrix(64, 48, rng), 4, rng);
        QVERIFY2(
            a.projectionOnRandom < 0.25 * a.projectionOnWeight,
            qPrintable(QString("%1 vs %2").arg(a.projectionOnRandom).arg(a.projectionOnWeight)));
        Rng again(99), same(99);
        QCOMPARE(amplification(w, w, 4, again).projectionOnRandom,
                 amplification(w, w, 4, same).projectionOnRandom); // drawn from the given Rng
    }

    void amplificationRejectsBadInput_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("deltaCols");
        QTest::addColumn<QString>("message");
        QTest::newRow("ok") << 5 << 7 << "(no error)";
        QTest::newRow("rank 0") << 0 << 7 << "rank must be in 1..5 for a 5x7 layer (got 0)";
        QTest::newRow("rank 6") << 6 << 7 << "rank must be in 1..5 for a 5x7 layer (got 6)";
        QTest::newRow("shapes") << 2 << 6 << "W is 5x7 but ΔW is 5x6";
    }
    void amplificationRejectsBadInput() {
        QFETCH(int, rank);
        QFETCH(int, deltaCols);
        QFETCH(QString, message);
        Rng rng(0);
        const Matrix w = test::randomMatrix(5, 7, rng),
                     delta = test::randomMatrix(5, deltaCols, rng);
        QCOMPARE(test::qErrorOf([&] { amplification(w, delta, rank, rng); }), message);
    }
};

QTEST_APPLESS_MAIN(TestAdapterAnalysis)
#include "tst_adapter_analysis.moc"
