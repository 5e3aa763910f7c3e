// LoraSpec::validate is the one check every place that takes a rank goes through: rank
// 1…kMaxRank (4096) and a positive finite α.
#include "error_of.h"
#include "nn/lora_linear.h"

#include <QtTest>
#include <cmath>

using namespace lora;
using lora::test::qErrorOf;

class TestLoraSpec : public QObject {
    Q_OBJECT
private slots:
    void validate_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<QString>("message");
        QTest::newRow("seed 000") << 4 << 1.0f << "";
        QTest::newRow("rank 1") << 1 << 1.0f << "";
        QTest::newRow("the limit") << kMaxRank << 8.0f << "";
        QTest::newRow("rank 0") << 0 << 1.0f << "rank must be at least 1";
        QTest::newRow("negative") << -3 << 1.0f << "rank must be at least 1";
        QTest::newRow("above the limit")
            << kMaxRank + 1 << 1.0f << "rank must be at most 4096 (got 4097)";
        QTest::newRow("65536") << 65536 << 1.0f << "rank must be at most 4096 (got 65536)";
        QTest::newRow("alpha 0") << 4 << 0.0f << "alpha must be a positive number";
        QTest::newRow("alpha -1") << 4 << -1.0f << "alpha must be a positive number";
        QTest::newRow("alpha nan") << 4 << float(NAN) << "alpha must be a positive number";
        QTest::newRow("alpha inf") << 4 << float(INFINITY) << "alpha must be a positive number";
    }
    void validate() {
        QFETCH(int, rank);
        QFETCH(float, alpha);
        QFETCH(QString, message);
        const LoraSpec spec{rank, alpha};
        QCOMPARE(qErrorOf([&] { spec.validate(); }),
                 message.isEmpty() ? QString("(no error)") : message);
    }

    void limitIsDocumented() { QCOMPARE(kMaxRank, 4096); }
};

QTEST_APPLESS_MAIN(TestLoraSpec)
#include "tst_lora_spec.moc"
