// combineGaps against independent arithmetic: cat's gap is float rounding, linear's is its
// cross terms s₂·B₁A₂ + s₁·B₂A₁ (weights 1), svd's relative gap is the dropped singular
// values' share √(Σ_dropped σ²/Σ σ²), and a layer only one adapter targets has no gap.
#include "nn/combine_gap.h"
#include "random_matrix.h"

#include <Eigen/SVD>
#include <QtTest>

using namespace lora;
using lora::test::uniformMatrix;

namespace {

Mlp shapes() {
    return Mlp("30-20-5");
}

AdapterWeights randomAdapter(const Mlp& net, int rank, float alpha, std::vector<int> layers,
                             std::uint64_t seed) {
    AdapterWeights a;
    a.spec.rank = rank;
    a.spec.alpha = alpha;
    for (int i : layers)
        a.layers.push_back({i, a.spec, uniformMatrix(rank, net.layer(i).in(), seed + 10 * i),
                            uniformMatrix(net.layer(i).out(), rank, seed + 10 * i + 1)});
    return a;
}

} // namespace

class TestCombineGap : public QObject {
    Q_OBJECT
private slots:
    void catIsExact() {
        const Mlp net = shapes();
        const std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 4.0f, {0, 1}, 1),
                                                   randomAdapter(net, 3, 1.5f, {0, 1}, 2)};
        const std::vector<float> w{0.7f, -1.2f};
        const auto gaps =
            combineGaps(net, parts, w, combineAdapters(net, parts, {CombineMethod::Cat, w}));
        QCOMPARE(gaps.size(), std::size_t(2));
        for (const CombineGap& g : gaps) {
            QCOMPARE(g.rank, 5);
            QVERIFY(g.targetMaxAbs > 0.1);
            QVERIFY2(g.relativeGap < 1e-6, qPrintable(QString::number(g.relativeGap)));
            QVERIFY(g.maxAbsGap < 1e-5 * g.targetMaxAbs);
        }
    }

    void linearGapIsTheCrossTerms() {
        const Mlp net = shapes();
        const AdapterWeights a = randomAdapter(net, 2, 4.0f, {0, 1}, 3);
        const AdapterWeights b = randomAdapter(net, 2, 1.0f, {0, 1}, 4);
        const auto gaps =
            combineGaps(net, {a, b}, {}, combineAdapters(net, {a, b}, {CombineMethod::Linear, {}}));
        for (int layer = 0; layer < 2; ++layer) {
            const LayerAdapter &la = a.layers[layer], &lb = b.layers[layer];
            const Matrix cross =
                lb.spec.scale() * la.B * lb.A + la.spec.scale() * lb.B * la.A; // [out, in]
            const Matrix target = la.delta() + lb.delta();
            const double expected = cross.norm() / target.norm();
            QVERIFY(expected > 0.1); // far from a sum: the point of showing it
            QVERIFY2(std::abs(gaps[layer].relativeGap - expected) < 1e-4 * expected,
                     qPrintable(QString("%1 vs %2").arg(gaps[layer].relativeGap).arg(expected)));
            QVERIFY(std::abs(gaps[layer].maxAbsGap - cross.cwiseAbs().maxCoeff()) < 1e-4);
        }
    }

    void svdGapIsTheDroppedShare() {
        const Mlp net = shapes();
        const std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 2.0f, {0}, 5),
                                                   randomAdapter(net, 2, 2.0f, {0}, 6)};
        CombineOptions options{CombineMethod::Svd, {}, 3};
        const auto gaps = combineGaps(net, parts, {}, combineAdapters(net, parts, options));
        QCOMPARE(gaps.size(), std::size_t(1));
        QCOMPARE(gaps[0].rank, 3);
        const Matrix target = weightedDelta(net, parts, {1, 1}, 0);
        const Eigen::JacobiSVD<Matrix> svd(target);
        const auto s = svd.singularValues().cast<double>();
        const double expected = std::sqrt(s.tail(s.size() - 3).squaredNorm() / s.squaredNorm());
        QVERIFY(expected > 1e-3);
        QVERIFY2(std::abs(gaps[0].relativeGap - expected) < 1e-3 * expected + 1e-6,
                 qPrintable(QString("%1 vs %2").arg(gaps[0].relativeGap).arg(expected)));
    }

    void aLayerOfOneAdapterHasNoGap() {
        const Mlp net = shapes();
        const std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 2.0f, {0}, 1),
                                                   randomAdapter(net, 1, 1.0f, {1}, 2)};
        const auto gaps =
            combineGaps(net, parts, {}, combineAdapters(net, parts, {CombineMethod::Linear, {}}));
        QCOMPARE(gaps.size(), std::size_t(2));
        for (const CombineGap& g : gaps) QVERIFY(g.relativeGap < 1e-6);
    }
};

QTEST_MAIN(TestCombineGap)
#include "tst_combine_gap.moc"
