// Comparing two modules from their thin factors against dense double-precision references:
// the cosine of the formed ΔW₁, ΔW₂, and φ(i, j) from an SVD of each formed ΔW.
#include "linalg/module_compare.h"

#include "util/rng.h"

#include <Eigen/SVD>
#include <QtTest>

using namespace lora;
using Dense = Eigen::MatrixXd;

namespace {

Matrix randomMatrix(Rng& rng, int rows, int cols) {
    Matrix m(rows, cols);
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) m(i, j) = rng.normal();
    return m;
}

LoraModule module(const Matrix& up, const Matrix& down, double scale) {
    LoraModule m;
    m.up = up;
    m.down = down;
    m.rank = static_cast<int>(up.cols());
    m.scale = scale;
    return m;
}

Dense delta(const LoraModule& m) {
    return m.scale * m.up.cast<double>() * m.down.cast<double>();
}

Dense leftVectors(const Dense& d, int k) {
    Eigen::JacobiSVD<Dense> svd(d, Eigen::ComputeThinU);
    return svd.matrixU().leftCols(k);
}

} // namespace

class TestModuleCompare : public QObject {
    Q_OBJECT
private slots:
    void againstDense_data() {
        QTest::addColumn<int>("r1");
        QTest::addColumn<int>("r2");
        QTest::addColumn<bool>("shared");
        QTest::newRow("independent r 4 and 4") << 4 << 4 << false;
        QTest::newRow("independent r 2 and 6") << 2 << 6 << false;
        QTest::newRow("sharing B, r 4 and 3") << 4 << 3 << true;
    }
    void againstDense() {
        QFETCH(int, r1);
        QFETCH(int, r2);
        QFETCH(bool, shared);
        Rng rng(7);
        const int out = 20, in = 15;
        const Matrix b1 = randomMatrix(rng, out, r1);
        const Matrix b2 = shared ? Matrix(b1.leftCols(r2)) : randomMatrix(rng, out, r2);
        const LoraModule m1 = module(b1, randomMatrix(rng, r1, in), 0.5);
        const LoraModule m2 = module(b2, randomMatrix(rng, r2, in), -2.0);
        const ModuleComparison c = compareModules(m1, m2);
        QVERIFY(c.available);

        const Dense d1 = delta(m1), d2 = delta(m2);
        const double cosine = (d1.cwiseProduct(d2)).sum() / (d1.norm() * d2.norm());
        QVERIFY2(std::abs(c.cosine - cosine) < 1e-6, qPrintable(QString::number(c.cosine)));

        const Dense u1 = leftVectors(d1, r1), u2 = leftVectors(d2, r2);
        QCOMPARE(c.phi.rows(), Eigen::Index(r1));
        QCOMPARE(c.phi.cols(), Eigen::Index(r2));
        for (int i = 1; i <= r1; ++i)
            for (int j = 1; j <= r2; ++j) {
                const double expected =
                    (u1.leftCols(i).transpose() * u2.leftCols(j)).squaredNorm() / std::min(i, j);
                QVERIFY2(std::abs(c.phi(i - 1, j - 1) - expected) < 1e-4,
                         qPrintable(QString("φ(%1, %2)").arg(i).arg(j)));
            }
        QCOMPARE(c.phiTop, c.phi(0, 0));
        QCOMPARE(c.phiFull, c.phi(std::min(r1, r2) - 1, std::min(r1, r2) - 1));
        // span(ΔW₂) ⊂ span(B₁) = span(ΔW₁): all of U₂ lies in U₁'s span.
        if (shared) QVERIFY(std::abs(c.phi(r1 - 1, r2 - 1) - 1.0) < 1e-4);
    }

    void sameModuleIsOne() {
        Rng rng(3);
        const LoraModule m = module(randomMatrix(rng, 8, 3), randomMatrix(rng, 3, 6), 1.5);
        const ModuleComparison c = compareModules(m, m);
        QVERIFY(std::abs(c.cosine - 1) < 1e-6);
        QVERIFY(std::abs(c.phiFull - 1) < 1e-5);
        QVERIFY(std::abs(c.phiTop - 1) < 1e-5);
    }

    void unavailable() {
        Rng rng(4);
        const LoraModule a = module(randomMatrix(rng, 8, 2), randomMatrix(rng, 2, 6), 1);
        const LoraModule wider = module(randomMatrix(rng, 8, 2), randomMatrix(rng, 2, 7), 1);
        QVERIFY(!compareModules(a, wider).available);
        LoraModule lokr;
        lokr.kind = ModuleKind::Lokr;
        QVERIFY(!compareModules(a, lokr).available);
    }
};

QTEST_GUILESS_MAIN(TestModuleCompare)
#include "tst_module_compare.moc"
