// The rank sweep both the Init & scaling tab and `lora-cli scaling` run: two variants per rank
// (α/r first), one point per rank pairing their runs, every variant checked before anything
// trains, and the chunked rank-by-rank runs equal to one compareVariants call.
#include "error_of.h"
#include "linalg/gd_approximation.h"
#include "train/scaling_sweep.h"

#include <QtTest>
#include <cmath>

using namespace lora;
using lora::test::qErrorOf;

Q_DECLARE_METATYPE(std::vector<int>)

namespace {

// 64 random 6-pixel samples of 2 classes: enough for a few steps of a 6-4-2 net.
Dataset tinyData(std::uint64_t seed) {
    Rng rng(seed);
    Dataset d;
    d.images = gaussianMatrix(64, 6, rng);
    d.numClasses = 2;
    for (int i = 0; i < 64; ++i) d.labels.push_back(d.images(i, 0) > 0 ? 1 : 0);
    return d;
}

Mlp tinyBase() {
    Mlp base("6-4-2");
    Rng rng(0);
    base.initDefault(rng);
    return base;
}

TrainOptions fewSteps() {
    TrainOptions options;
    options.batchSize = 16;
    options.maxSteps = 3;
    options.seed = 5;
    return options;
}

} // namespace

class TestScalingSweep : public QObject {
    Q_OBJECT
private slots:
    void variantsComeInPairs_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("scale");
        QTest::addColumn<float>("scaleRs");
        QTest::newRow("r 1") << 1 << 8.0f << 8.0f;
        QTest::newRow("r 4") << 4 << 2.0f << 4.0f;
        QTest::newRow("r 16") << 16 << 0.5f << 2.0f;
        QTest::newRow("r 64") << 64 << 0.125f << 1.0f;
    }
    void variantsComeInPairs() {
        QFETCH(int, rank);
        QFETCH(float, scale);
        QFETCH(float, scaleRs);
        ScalingSweep sweep;
        sweep.ranks = {rank};
        sweep.alpha = 8.0f;
        const std::vector<LoraVariant> v = sweep.variants();
        QCOMPARE(v.size(), std::size_t(2));
        QCOMPARE(v[0].spec.rslora, false);
        QCOMPARE(v[1].spec.rslora, true);
        QCOMPARE(v[0].spec.scale(), scale);
        QCOMPARE(v[1].spec.scale(), scaleRs);
        QCOMPARE(v[0].spec.init, LoraInit::Kaiming);
    }

    void pointPairsTwoRuns() {
        VariantRun standard, rs;
        standard.variant.spec = {16, 8.0f, false};
        rs.variant.spec = {16, 8.0f, true};
        standard.deltaNorm = 0.25;
        rs.deltaNorm = 1.5;
        standard.accuracy = 90.0f;
        rs.accuracy = 95.0f;
        standard.run.lastTrainLoss = 0.3f;
        rs.run.lastTrainLoss = 0.2f;
        const ScalePoint p = scalePoint(standard, rs);
        QCOMPARE(p.rank, 16);
        QCOMPARE(p.norm, 0.25);
        QCOMPARE(p.normRs, 1.5);
        QCOMPARE(p.scale, 0.5);
        QCOMPARE(p.scaleRs, 2.0);
        QCOMPARE(p.accuracy, 90.0f);
        QCOMPARE(p.accuracyRs, 95.0f);
        QCOMPARE(p.finalLoss, 0.3f);
        QCOMPARE(p.finalLossRs, 0.2f);
    }

    // Rank by rank trains exactly what one compareVariants over all pairs trains.
    void sweepMatchesOneComparison() {
        const Mlp base = tinyBase();
        const Dataset train = tinyData(1), test = tinyData(2);
        ScalingSweep sweep;
        sweep.ranks = {1, 2, 4};
        sweep.alpha = 4.0f;
        std::vector<int> seen;
        const auto points = runScalingSweep(base, train, test, sweep, fewSteps(), 7,
                                            [&](const ScalePoint& p) { seen.push_back(p.rank); });
        QCOMPARE(seen, (std::vector<int>{1, 2, 4}));
        const auto runs = compareVariants(base, train, test, sweep.variants(), {}, fewSteps(), 7);
        QCOMPARE(points.size(), std::size_t(3));
        for (std::size_t i = 0; i < points.size(); ++i) {
            const ScalePoint expected = scalePoint(runs[2 * i], runs[2 * i + 1]);
            QCOMPARE(points[i].rank, expected.rank);
            QCOMPARE(points[i].norm, expected.norm);
            QCOMPARE(points[i].normRs, expected.normRs);
            QCOMPARE(points[i].accuracy, expected.accuracy);
            QVERIFY(points[i].norm > 0);
        }
    }

    void badSweepsAreRefusedFirst_data() {
        QTest::addColumn<std::vector<int>>("ranks");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<int>("init");
        QTest::addColumn<QString>("message");
        QTest::newRow("rank 0") << std::vector<int>{1, 0} << 8.0f << int(LoraInit::Kaiming)
                                << "rank must be at least 1";
        QTest::newRow("rank 5000") << std::vector<int>{5000} << 8.0f << int(LoraInit::Kaiming)
                                   << "rank must be at most 4096 (got 5000)";
        QTest::newRow("alpha 0") << std::vector<int>{1} << 0.0f << int(LoraInit::Kaiming)
                                 << "alpha must be a positive number";
        QTest::newRow("pissa above width")
            << std::vector<int>{1, 8} << 8.0f << int(LoraInit::Pissa)
            << "PiSSA needs a rank of at most min(in, out) = 4 for fc1, not 8";
        QTest::newRow("no ranks") << std::vector<int>{} << 8.0f << int(LoraInit::Kaiming)
                                  << "the rank sweep has no ranks";
    }
    void badSweepsAreRefusedFirst() {
        QFETCH(std::vector<int>, ranks);
        QFETCH(float, alpha);
        QFETCH(int, init);
        QFETCH(QString, message);
        ScalingSweep sweep;
        sweep.ranks = ranks;
        sweep.alpha = alpha;
        sweep.init = LoraInit(init);
        int points = 0;
        const QString error = qErrorOf([&] {
            runScalingSweep(tinyBase(), tinyData(1), tinyData(2), sweep, fewSteps(), 0,
                            [&](const ScalePoint&) { ++points; });
        });
        QVERIFY2(error.startsWith(message), qPrintable(error));
        QCOMPARE(points, 0); // nothing trained before the refusal
    }

    void stopBeforeStartGivesNoPoints() {
        std::stop_source source;
        source.request_stop();
        ScalingSweep sweep;
        sweep.ranks = {1, 2};
        const auto points = runScalingSweep(tinyBase(), tinyData(1), tinyData(2), sweep, fewSteps(),
                                            0, {}, {}, source.get_token());
        QVERIFY(points.empty());
    }
};

QTEST_APPLESS_MAIN(TestScalingSweep)
#include "tst_scaling_sweep.moc"
