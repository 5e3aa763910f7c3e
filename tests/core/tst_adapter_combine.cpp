// Adapter weights out of and back into a model (bit-exact, refused with the model untouched
// on bad shapes or NaN), and combining adapters: cat adds ranks and reproduces Σ wᵢ·ΔWᵢ,
// linear follows PEFT's √w formula, svd keeps the best rank-r part of Σ wᵢ·ΔWᵢ.
#include "error_of.h"
#include "linalg/truncated_svd.h"
#include "nn/adapter_combine.h"
#include "random_matrix.h"
#include "same_bits.h"

#include <QtTest>
#include <cstring>

using namespace lora;
using lora::test::qErrorOf;
using lora::test::sameBits;
using lora::test::uniformMatrix;

namespace {

Mlp baseModel() {
    Mlp net("30-20-5");
    Rng rng(1);
    net.initDefault(rng);
    return net;
}

// A trained-looking adapter: random A and B on the given layers.
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

float worstDeltaGap(const Mlp& net, const AdapterWeights& combined,
                    const std::vector<AdapterWeights>& parts, const std::vector<float>& w) {
    float worst = 0;
    for (const auto& l : combined.layers) {
        Matrix expected = Matrix::Zero(net.layer(l.layer).out(), net.layer(l.layer).in());
        for (std::size_t i = 0; i < parts.size(); ++i)
            for (const auto& p : parts[i].layers)
                if (p.layer == l.layer) expected += w[i] * p.delta();
        worst = std::max(worst, (l.delta() - expected).cwiseAbs().maxCoeff());
    }
    return worst;
}

} // namespace

class TestAdapterCombine : public QObject {
    Q_OBJECT
private slots:
    void extractAttachRoundTrip() {
        Mlp net = baseModel();
        const AdapterWeights a = randomAdapter(net, 3, 6.0f, {0, 1}, 5);
        attachAdapter(net, a);
        const AdapterWeights back = extractAdapter(net);
        QCOMPARE(back.spec.rank, 3);
        QCOMPARE(back.spec.alpha, 6.0f);
        QCOMPARE(back.layers.size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i) {
            QVERIFY(sameBits(back.layers[i].A, a.layers[i].A));
            QVERIFY(sameBits(back.layers[i].B, a.layers[i].B));
        }
    }

    void attachRefusesAndKeepsTheModel_data() {
        QTest::addColumn<int>("flaw");
        QTest::addColumn<QString>("message");
        QTest::newRow("A too narrow") << 0 << "fc1.lora_A is [2,29] but must be [2,30]";
        QTest::newRow("B wrong rank") << 1 << "fc2.lora_B is [5,3] but must be [5,2]";
        QTest::newRow("NaN") << 2 << "fc1: the adapter holds NaN or Inf values";
        QTest::newRow("no such layer") << 3 << "not in 30-20-5";
    }
    void attachRefusesAndKeepsTheModel() {
        QFETCH(int, flaw);
        QFETCH(QString, message);
        Mlp net = baseModel();
        const AdapterWeights good = randomAdapter(net, 2, 2.0f, {0, 1}, 7);
        attachAdapter(net, good);
        AdapterWeights bad = good;
        if (flaw == 0) bad.layers[0].A = uniformMatrix(2, 29, 1);
        if (flaw == 1) bad.layers[1].B = uniformMatrix(5, 3, 1);
        if (flaw == 2) bad.layers[0].A(1, 1) = std::numeric_limits<float>::quiet_NaN();
        if (flaw == 3) bad.layers[1].layer = 7;
        QVERIFY2(qErrorOf([&] { attachAdapter(net, bad); }).contains(message),
                 qPrintable(qErrorOf([&] { attachAdapter(net, bad); })));
        const AdapterWeights still = extractAdapter(net);
        QVERIFY(sameBits(still.layers[0].A, good.layers[0].A));
        QVERIFY(sameBits(still.layers[1].B, good.layers[1].B));
    }

    void catAddsRanksAndIsExact() {
        const Mlp net = baseModel();
        const std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 4.0f, {0, 1}, 1),
                                                   randomAdapter(net, 3, 1.5f, {0, 1}, 2)};
        const std::vector<float> w = {0.7f, -1.2f};
        const AdapterWeights c = combineAdapters(net, parts, {CombineMethod::Cat, w});
        QCOMPARE(c.spec.rank, 5);
        for (const auto& l : c.layers) QCOMPARE(l.spec.scale(), 1.0f);
        QVERIFY(worstDeltaGap(net, c, parts, w) < 1e-5f);
    }

    void catOfDifferentLayersFillsZeros() {
        const Mlp net = baseModel();
        const std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 2.0f, {0}, 1),
                                                   randomAdapter(net, 1, 1.0f, {1}, 2)};
        const AdapterWeights c = combineAdapters(net, parts, {CombineMethod::Cat, {}});
        // Each layer's rank adds up only the adapters that target it: no zero columns.
        QCOMPARE(c.layers.size(), std::size_t(2));
        QCOMPARE(c.layers[0].spec.rank, 2);
        QCOMPARE(c.layers[1].spec.rank, 1);
        QVERIFY(!c.uniform()); // so a file of it needs rank_pattern
        QVERIFY(worstDeltaGap(net, c, parts, {1, 1}) < 1e-5f);
    }

    void catAddsPerLayerRanks() {
        const Mlp net = baseModel();
        AdapterWeights mixed = randomAdapter(net, 2, 2.0f, {0, 1}, 1);
        mixed.layers[1].spec.rank = 4; // rank_pattern {"fc2": 4}
        mixed.layers[1].A = uniformMatrix(4, 20, 8);
        mixed.layers[1].B = uniformMatrix(5, 4, 9);
        const std::vector<AdapterWeights> parts = {mixed, randomAdapter(net, 3, 1.0f, {0, 1}, 2)};
        const AdapterWeights c = combineAdapters(net, parts, {CombineMethod::Cat, {}});
        QCOMPARE(c.layers[0].spec.rank, 5);
        QCOMPARE(c.layers[1].spec.rank, 7);
        QVERIFY(worstDeltaGap(net, c, parts, {1, 1}) < 1e-5f);
    }

    void linearFollowsPeftsFormula() {
        const Mlp net = baseModel();
        const AdapterWeights x = randomAdapter(net, 2, 8.0f, {0, 1}, 3);
        // √0.25·s·A twice = s·A and √0.25·B twice = B: the combination is x's own ΔW.
        const AdapterWeights c =
            combineAdapters(net, {x, x}, {CombineMethod::Linear, {0.25f, 0.25f}});
        QCOMPARE(c.spec.rank, 2);
        QVERIFY(worstDeltaGap(net, c, {x}, {1}) < 1e-5f);
        // And the factors themselves.
        QVERIFY((c.layers[0].A - x.layers[0].spec.scale() * x.layers[0].A).cwiseAbs().maxCoeff() <
                1e-6f);
        QVERIFY((c.layers[0].B - x.layers[0].B).cwiseAbs().maxCoeff() < 1e-6f);
    }

    void svdKeepsTheBestRankR() {
        const Mlp net = baseModel();
        const std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 2.0f, {0}, 4),
                                                   randomAdapter(net, 2, 3.0f, {0}, 5)};
        const std::vector<float> w = {1.0f, 0.5f};
        // Rank 4 holds Σ wᵢΔWᵢ (rank ≤ 4) exactly.
        const AdapterWeights full = combineAdapters(net, parts, {CombineMethod::Svd, w, 4});
        QCOMPARE(full.spec.rank, 4);
        QVERIFY(worstDeltaGap(net, full, parts, w) < 1e-4f);
        // Rank 1 leaves exactly the tail of the spectrum out.
        const AdapterWeights one = combineAdapters(net, parts, {CombineMethod::Svd, w, 1});
        const Matrix sum = w[0] * parts[0].layers[0].delta() + w[1] * parts[1].layers[0].delta();
        const TruncatedSvd svd(sum);
        const double gap = (sum - one.layers[0].delta()).norm();
        QVERIFY(std::abs(gap - svd.error(1).frobenius) < 1e-4 * svd.frobeniusNorm());
    }

    void badRequests_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<int>("count");
        QTest::addColumn<QString>("message");
        QTest::newRow("one adapter") << int(CombineMethod::Cat) << 1 << "at least two adapters";
        QTest::newRow("weights") << int(CombineMethod::Cat) << 3 << "3 weights for 2 adapters";
        QTest::newRow("linear ranks") << int(CombineMethod::Linear) << 2 << "equal ranks";
        QTest::newRow("svd rank") << int(CombineMethod::Svd) << 2
                                  << "svd rank must be between 1 and 5";
    }
    void badRequests() {
        QFETCH(int, method);
        QFETCH(int, count);
        QFETCH(QString, message);
        const Mlp net = baseModel();
        std::vector<AdapterWeights> parts = {randomAdapter(net, 2, 2.0f, {0, 1}, 1)};
        if (count > 1) parts.push_back(randomAdapter(net, 3, 2.0f, {0, 1}, 2));
        CombineOptions options{CombineMethod(method), {}, 9};
        if (count == 3) options.weights = {1, 1, 1};
        const QString error = qErrorOf([&] { combineAdapters(net, parts, options); });
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void methodNames() {
        QCOMPARE(combineMethodFromString("svd"), CombineMethod::Svd);
        QVERIFY(qErrorOf([] {
                    combineMethodFromString("ties");
                }).contains("unknown combination 'ties' (use linear, cat or svd)"));
    }
};

QTEST_GUILESS_MAIN(TestAdapterCombine)
#include "tst_adapter_combine.moc"
