// Subspace results in a session file: φ (rows r1, columns r2, stored row by row) and both
// amplification tables survive subspaceToJson, the JSON text and subspaceFromJson exactly,
// NaN table entries included (written as null); ragged or non-numeric φ rows, a missing
// table and every malformed table field are refused with one line naming the place.
#include "error_of.h"
#include "json_edit.h"
#include "persistence/subspace_json.h"

#include <QtTest>
#include <limits>

using lora::test::edited;
using lora::test::qErrorOf;
using lora::test::sameNumber;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// φ [2×3] with non-terminating binary fractions, the second table with NaN entries.
SubspaceResult sample() {
    SubspaceResult r;
    r.phi.resize(2, 3);
    r.phi << 1.0, 0.5, 1.0 / 3.0, 0.1, 0.0, 2.0 / 7.0;
    r.amplifications[0] = {2, 10.5, 0.75, 0.1, 0.2, 0.05, 7.5};
    r.amplifications[1] = {4, 12.0, 1.0 / 3.0, kNaN, 0.0, 0.0625, kNaN};
    return r;
}

bool sameTable(const lora::Amplification& a, const lora::Amplification& b) {
    return a.rank == b.rank && sameNumber(a.weightNorm, b.weightNorm) &&
           sameNumber(a.deltaNorm, b.deltaNorm) &&
           sameNumber(a.projectionOnDelta, b.projectionOnDelta) &&
           sameNumber(a.projectionOnWeight, b.projectionOnWeight) &&
           sameNumber(a.projectionOnRandom, b.projectionOnRandom) && sameNumber(a.factor, b.factor);
}

} // namespace

class TestSubspaceJson : public QObject {
    Q_OBJECT
private slots:
    void roundTripsExactly() {
        const SubspaceResult saved = sample();
        const SubspaceResult read =
            subspaceFromJson(lora::test::throughText(subspaceToJson(saved)));
        QCOMPARE(read.phi.rows(), 2);
        QCOMPARE(read.phi.cols(), 3);
        QVERIFY(read.phi == saved.phi);
        QVERIFY(sameTable(read.amplifications[0], saved.amplifications[0]));
        QVERIFY(sameTable(read.amplifications[1], saved.amplifications[1]));
    }

    void phiIsStoredRowByRow() {
        const QJsonObject json = subspaceToJson(sample());
        const QJsonArray phi = json["phi"].toArray();
        QCOMPARE(phi.size(), 2);
        QCOMPARE(phi[0].toArray().size(), 3);
        QCOMPARE(phi[1][0].toDouble(), 0.1);
        QCOMPARE(json["amplifications"][1]["rank"].toInt(), 4);
        QVERIFY(json["amplifications"][1]["factor"].isNull());
        QVERIFY(json["amplifications"][1]["projection_on_delta"].isNull());
    }

    void malformed_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonValue>("value"); // undefined: the field is removed
        QTest::addColumn<QString>("message");
        const QJsonValue missing(QJsonValue::Undefined);
        const QString at = "insights.subspaces.";
        const QString noRows = at + "phi must be a non-empty array of rows";
        QTest::newRow("no phi") << "phi" << missing << at + "phi must be an array";
        QTest::newRow("phi an object")
            << "phi" << QJsonValue(QJsonObject{}) << at + "phi must be an array";
        QTest::newRow("phi empty") << "phi" << QJsonValue(QJsonArray{}) << noRows;
        QTest::newRow("row 0 empty") << "phi[0]" << QJsonValue(QJsonArray{}) << noRows;
        QTest::newRow("row 0 a number") << "phi[0]" << QJsonValue(0.5) << noRows;
        QTest::newRow("row 1 short") << "phi[1]" << QJsonValue(QJsonArray{0.1, 0.0})
                                     << at + "phi[1] has 2 values but row 0 has 3";
        QTest::newRow("row 1 long") << "phi[1]" << QJsonValue(QJsonArray{0.1, 0.0, 0.2, 0.3})
                                    << at + "phi[1] has 4 values but row 0 has 3";
        QTest::newRow("row 1 a number")
            << "phi[1]" << QJsonValue(0.5) << at + "phi[1] has 0 values but row 0 has 3";
        QTest::newRow("value as text")
            << "phi[0][2]" << QJsonValue("0.3") << at + "phi[0] must hold numbers only";
        QTest::newRow("value null")
            << "phi[1][0]" << QJsonValue(QJsonValue::Null) << at + "phi[1] must hold numbers only";
        QTest::newRow("value a row")
            << "phi[1][2]" << QJsonValue(QJsonArray{1}) << at + "phi[1] must hold numbers only";
        QTest::newRow("no amplifications")
            << "amplifications" << missing << at + "amplifications must be an array";
        QTest::newRow("one table") << "amplifications[1]" << missing
                                   << at + "amplifications must hold the two adapters' tables";
        QTest::newRow("three tables") << "amplifications[2]" << QJsonValue(QJsonObject{})
                                      << at + "amplifications must hold the two adapters' tables";
        QTest::newRow("table a number")
            << "amplifications[1]" << QJsonValue(3) << at + "amplifications[1] must be an object";
        QTest::newRow("rank 0") << "amplifications[0].rank" << QJsonValue(0)
                                << at + "amplifications[0].rank must be a whole number";
        QTest::newRow("rank as text") << "amplifications[1].rank" << QJsonValue("4")
                                      << at + "amplifications[1].rank must be a number";
        QTest::newRow("no weight norm")
            << "amplifications[0].weight_norm" << missing
            << at + "amplifications[0].weight_norm must be a number or null";
        QTest::newRow("delta norm true")
            << "amplifications[1].delta_norm" << QJsonValue(true)
            << at + "amplifications[1].delta_norm must be a number or null";
        QTest::newRow("projection on random as text")
            << "amplifications[0].projection_on_random" << QJsonValue("0.05")
            << at + "amplifications[0].projection_on_random must be a number or null";
        QTest::newRow("factor an array")
            << "amplifications[1].factor" << QJsonValue(QJsonArray{})
            << at + "amplifications[1].factor must be a number or null";
    }
    void malformed() {
        QFETCH(QString, path);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        const QJsonObject valid = subspaceToJson(sample());
        const QJsonObject json = edited(valid, path, value);
        QVERIFY(json != valid); // the row changed something
        QCOMPARE(qErrorOf([&] { subspaceFromJson(json); }), message);
    }
};

QTEST_APPLESS_MAIN(TestSubspaceJson)
#include "tst_subspace_json.moc"
