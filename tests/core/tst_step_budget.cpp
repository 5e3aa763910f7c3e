// Runs measured in steps: the epochs are raised until the step limit, not the data, ends a
// run, and never lowered.
#include "train/step_budget.h"

#include <QtTest>

using namespace lora;

class TestStepBudget : public QObject {
    Q_OBJECT
private slots:
    void epochs_data() {
        QTest::addColumn<int>("epochs");
        QTest::addColumn<int>("batch");
        QTest::addColumn<qlonglong>("maxSteps");
        QTest::addColumn<int>("samples");
        QTest::addColumn<int>("expected");
        // 1,642 samples: 26 batches of 64, the size of a two-digit task.
        QTest::newRow("300 steps") << 1 << 64 << 300LL << 1642 << 12;
        QTest::newRow("one epoch is enough") << 1 << 64 << 26LL << 1642 << 1;
        QTest::newRow("one step more") << 1 << 64 << 27LL << 1642 << 2;
        QTest::newRow("more epochs kept") << 20 << 64 << 300LL << 1642 << 20;
        QTest::newRow("no step limit") << 3 << 64 << -1LL << 1642 << 3;
        QTest::newRow("partial last batch") << 1 << 10 << 6LL << 41 << 2; // 5 batches per epoch
        QTest::newRow("empty data") << 1 << 64 << 10LL << 0 << 10;
        QTest::newRow("huge limit stays an int") << 1 << 1 << (1LL << 40) << 1 << 2147483647;
    }
    void epochs() {
        QFETCH(int, epochs);
        QFETCH(int, batch);
        QFETCH(qlonglong, maxSteps);
        QFETCH(int, samples);
        QFETCH(int, expected);
        TrainOptions options;
        options.epochs = epochs;
        options.batchSize = batch;
        options.maxSteps = static_cast<long>(maxSteps);
        const TrainOptions out = withEpochsFor(options, samples);
        QCOMPARE(out.epochs, expected);
        QCOMPARE(out.maxSteps, options.maxSteps); // everything else as it was
        QCOMPARE(out.batchSize, options.batchSize);
    }
};

QTEST_APPLESS_MAIN(TestStepBudget)
#include "tst_step_budget.moc"
