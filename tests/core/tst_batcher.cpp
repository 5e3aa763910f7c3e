// Batcher: every sample exactly once per epoch, seeded reproducible order, a short last
// batch, zero-copy views, and dataset order when shuffling is off.
#include "data/batcher.h"
#include "util/error.h"

#include "error_of.h"

#include <QtTest>

#include <algorithm>
#include <functional>

using namespace lora;
using lora::test::errorOf;
using lora::test::qErrorOf;

namespace {

// n samples of 3 features; row i is {i, i+0.5, -i} and its label is i % 10, so every
// batch row tells which sample it came from.
Dataset numbered(int n) {
    Dataset d;
    d.images.resize(n, 3);
    for (int i = 0; i < n; ++i) d.images.row(i) << float(i), float(i) + 0.5f, float(-i);
    for (int i = 0; i < n; ++i) d.labels.push_back(i % 10);
    return d;
}

// One epoch's sample ids in batch order; checks each row is intact and matches its label.
std::vector<int> epochOrder(Batcher& batcher, std::vector<int>* batchRows = nullptr) {
    std::vector<int> ids;
    batcher.startEpoch();
    Batch batch;
    while (batcher.next(batch)) {
        if (batchRows) batchRows->push_back(batch.rows);
        const auto x = batch.x();
        for (int r = 0; r < batch.rows; ++r) {
            const int id = int(x(r, 0));
            if (x(r, 1) != float(id) + 0.5f || x(r, 2) != float(-id) || batch.y()[r] != id % 10)
                return {}; // a torn row or a label from another sample
            ids.push_back(id);
        }
    }
    return ids;
}

std::vector<int> iota(int n) {
    std::vector<int> v(std::size_t(n), 0);
    for (int i = 0; i < n; ++i) v[std::size_t(i)] = i;
    return v;
}

} // namespace

class TestBatcher : public QObject {
    Q_OBJECT
private slots:
    void coversEverySampleOncePerEpoch_data() {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<std::vector<int>>("rows");
        QTest::newRow("10 by 3") << 10 << 3 << std::vector<int>{3, 3, 3, 1};
        QTest::newRow("12 by 4") << 12 << 4 << std::vector<int>{4, 4, 4};
        QTest::newRow("5 by 64") << 5 << 64 << std::vector<int>{5};
        QTest::newRow("7 by 1") << 7 << 1 << std::vector<int>(7, 1);
    }
    void coversEverySampleOncePerEpoch() {
        QFETCH(int, n);
        QFETCH(int, batchSize);
        QFETCH(std::vector<int>, rows);
        const Dataset data = numbered(n);
        Batcher batcher(data, batchSize, true, 7);
        QCOMPARE(batcher.batchSize(), batchSize);
        QCOMPARE(batcher.batchesPerEpoch(), int(rows.size()));
        for (int epoch = 0; epoch < 3; ++epoch) {
            std::vector<int> batchRows;
            std::vector<int> ids = epochOrder(batcher, &batchRows);
            QCOMPARE(batchRows, rows);
            std::sort(ids.begin(), ids.end());
            QCOMPARE(ids, iota(n));
        }
    }

    void sameSeedSameOrder() {
        const Dataset data = numbered(100);
        Batcher a(data, 8, true, 42), b(data, 8, true, 42);
        for (int epoch = 0; epoch < 3; ++epoch) {
            const std::vector<int> order = epochOrder(a);
            QCOMPARE(order.size(), std::size_t(100));
            QCOMPARE(epochOrder(b), order);
        }
    }

    void differentSeedOrEpochDifferentOrder() {
        const Dataset data = numbered(100);
        Batcher a(data, 8, true, 1), b(data, 8, true, 2);
        const std::vector<int> a1 = epochOrder(a), b1 = epochOrder(b);
        QVERIFY(a1 != b1);
        QVERIFY(a1 != iota(100));     // actually shuffled
        QVERIFY(epochOrder(a) != a1); // a fresh permutation every epoch
    }

    void noShuffleKeepsOrderWithoutCopying() {
        const Dataset data = numbered(10);
        Batcher batcher(data, 4, false, 1);
        QCOMPARE(epochOrder(batcher), iota(10));
        QCOMPARE(epochOrder(batcher), iota(10));
        batcher.startEpoch();
        Batch first;
        QVERIFY(batcher.next(first));
        QCOMPARE(first.images, data.images.data());
        QCOMPARE(first.labels, data.labels.data());
        QCOMPARE(first.cols, 3);
    }

    void nextWithoutStartEpochStartsOne() {
        const Dataset data = numbered(5);
        Batcher batcher(data, 2, true, 3);
        Batch batch;
        int seen = 0;
        while (batcher.next(batch)) seen += batch.rows;
        QCOMPARE(seen, 5);
        QVERIFY(!batcher.next(batch)); // stays exhausted until the next startEpoch()
    }

    void emptyDatasetHasNoBatches() {
        const Dataset data = numbered(0);
        Batcher batcher(data, 4, true, 1);
        QCOMPARE(batcher.batchesPerEpoch(), 0);
        batcher.startEpoch();
        Batch batch;
        QVERIFY(!batcher.next(batch));
    }

    void rejectsBatchSizeBelowOne_data() {
        QTest::addColumn<int>("batchSize");
        QTest::addColumn<QString>("message");
        QTest::newRow("0") << 0 << "batch size must be at least 1 (got 0)";
        QTest::newRow("-5") << -5 << "batch size must be at least 1 (got -5)";
    }
    void rejectsBatchSizeBelowOne() {
        QFETCH(int, batchSize);
        QFETCH(QString, message);
        const Dataset data = numbered(3);
        QCOMPARE(qErrorOf([&] { Batcher(data, batchSize, true, 1); }), message);
    }
};

QTEST_APPLESS_MAIN(TestBatcher)
#include "tst_batcher.moc"
