// Init & scaling results in a session file: each variant's spec (init, rank, α, rsLoRA), step
// losses, steps, accuracy, ‖ΔW‖ and parameter count, and every rank-sweep point, survive
// variantsToJson, the JSON text and variantsFromJson exactly, NaN included (written as null);
// an empty result stays empty; every malformed field is refused with one line naming it.
#include "error_of.h"
#include "json_edit.h"
#include "persistence/variants_json.h"

#include <QtTest>
#include <limits>

using lora::test::edited;
using lora::test::qErrorOf;
using lora::test::sameNumber;

using lora::ScalePoint;

namespace {

constexpr float kNaNf = std::numeric_limits<float>::quiet_NaN();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

lora::VariantRun run(lora::LoraInit init, int rank, float alpha, bool rslora,
                     std::vector<float> losses, float accuracy, double deltaNorm,
                     std::size_t params) {
    lora::VariantRun r;
    r.variant.spec.init = init;
    r.variant.spec.rank = rank;
    r.variant.spec.alpha = alpha;
    r.variant.spec.rslora = rslora;
    r.run.steps = static_cast<long>(losses.size());
    r.run.stepLosses = std::move(losses);
    r.accuracy = accuracy;
    r.deltaNorm = deltaNorm;
    r.params = params;
    return r;
}

ScalePoint point(int rank, double norm, double normRs, double scale, double scaleRs) {
    ScalePoint p;
    p.rank = rank;
    p.norm = norm;
    p.normRs = normRs;
    p.scale = scale;
    p.scaleRs = scaleRs;
    return p;
}

// All three inits, floats that are not exact doubles (0.1f, α 0.3), a diverged loss, a run
// with no losses, and NaN wherever the format allows null.
VariantsResult sample() {
    VariantsResult r;
    r.runs = {run(lora::LoraInit::Kaiming, 4, 8.0f, false, {2.5f, 1.25f, 0.1f}, 91.5f, 0.75, 1234),
              run(lora::LoraInit::Pissa, 16, 0.3f, true, {kNaNf, 0.3f}, kNaNf, kNaN, 0),
              run(lora::LoraInit::Gaussian, 1, 1.0f, false, {}, 0.0f, 1.0 / 3.0, 50890)};
    r.sweep = {point(1, 0.5, 0.5, 2.0, 2.0), point(4, 0.125, kNaN, 0.5, 1.0),
               point(64, 1.0 / 3.0, 0.1, kNaN, 0.03125)};
    return r;
}

void compareResults(const VariantsResult& read, const VariantsResult& saved) {
    QCOMPARE(read.runs.size(), saved.runs.size());
    for (std::size_t i = 0; i < saved.runs.size(); ++i) {
        const lora::VariantRun& a = read.runs[i];
        const lora::VariantRun& b = saved.runs[i];
        QCOMPARE(a.variant.spec.init, b.variant.spec.init);
        QCOMPARE(a.variant.spec.rank, b.variant.spec.rank);
        QCOMPARE(a.variant.spec.alpha, b.variant.spec.alpha);
        QCOMPARE(a.variant.spec.rslora, b.variant.spec.rslora);
        QCOMPARE(a.run.stepLosses.size(), b.run.stepLosses.size());
        for (std::size_t k = 0; k < b.run.stepLosses.size(); ++k)
            QVERIFY2(sameNumber(a.run.stepLosses[k], b.run.stepLosses[k]),
                     qPrintable(QString("runs[%1].losses[%2]").arg(i).arg(k)));
        QCOMPARE(a.run.steps, b.run.steps);
        QVERIFY(sameNumber(a.accuracy, b.accuracy));
        QVERIFY(sameNumber(a.deltaNorm, b.deltaNorm));
        QCOMPARE(a.params, b.params);
    }
    QCOMPARE(read.sweep.size(), saved.sweep.size());
    for (std::size_t i = 0; i < saved.sweep.size(); ++i) {
        const ScalePoint& a = read.sweep[i];
        const ScalePoint& b = saved.sweep[i];
        QCOMPARE(a.rank, b.rank);
        QVERIFY2(sameNumber(a.norm, b.norm) && sameNumber(a.normRs, b.normRs) &&
                     sameNumber(a.scale, b.scale) && sameNumber(a.scaleRs, b.scaleRs),
                 qPrintable(QString("rank_sweep[%1]").arg(i)));
    }
}

} // namespace

class TestVariantsJson : public QObject {
    Q_OBJECT
private slots:
    void roundTripsExactly() {
        const VariantsResult saved = sample();
        compareResults(variantsFromJson(lora::test::throughText(variantsToJson(saved))), saved);
    }

    void emptyStaysEmpty() {
        const VariantsResult read = variantsFromJson(variantsToJson(VariantsResult{}));
        QVERIFY(read.runs.empty());
        QVERIFY(read.sweep.empty());
    }

    void writesReadableNumbers() {
        const QJsonObject json = variantsToJson(sample());
        QCOMPARE(json["runs"][0]["init"].toString(), "kaiming");
        QCOMPARE(json["runs"][1]["init"].toString(), "pissa");
        QCOMPARE(json["runs"][1]["alpha"].toDouble(), 0.3); // 0.3f's shortest form
        QCOMPARE(json["runs"][0]["losses"][2].toDouble(), 0.1);
        QVERIFY(json["runs"][1]["losses"][0].isNull());
        QVERIFY(json["runs"][1]["accuracy"].isNull());
        QVERIFY(json["rank_sweep"][1]["norm_rslora"].isNull());
    }

    void malformed_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonValue>("value"); // undefined: the field is removed
        QTest::addColumn<QString>("message");
        const QJsonValue missing(QJsonValue::Undefined);
        const QString at = "insights.variants.";
        QTest::newRow("no runs") << "runs" << missing << at + "runs must be an array";
        QTest::newRow("run as text")
            << "runs[0]" << QJsonValue("kaiming") << at + "runs[0] must be an object";
        QTest::newRow("unknown init")
            << "runs[1].init" << QJsonValue("lora")
            << at + "runs[1].init: unknown LoRA init 'lora' (use kaiming, gaussian or pissa)";
        QTest::newRow("init a number")
            << "runs[0].init" << QJsonValue(3) << at + "runs[0].init must be a string";
        QTest::newRow("rank 0") << "runs[0].rank" << QJsonValue(0)
                                << at + "runs[0].rank must be a whole number";
        QTest::newRow("rank 2.5") << "runs[2].rank" << QJsonValue(2.5)
                                  << at + "runs[2].rank must be a whole number";
        QTest::newRow("alpha as text")
            << "runs[0].alpha" << QJsonValue("8") << at + "runs[0].alpha must be a number";
        QTest::newRow("alpha null") << "runs[1].alpha" << QJsonValue(QJsonValue::Null)
                                    << at + "runs[1].alpha must be a number";
        QTest::newRow("rslora as text") << "runs[0].use_rslora" << QJsonValue("no")
                                        << at + "runs[0].use_rslora must be true or false";
        QTest::newRow("losses a number")
            << "runs[0].losses" << QJsonValue(1) << at + "runs[0].losses must be an array";
        QTest::newRow("loss as text") << "runs[0].losses[1]" << QJsonValue("1.25")
                                      << at + "runs[0].losses[1] must be a number or null";
        QTest::newRow("loss an object") << "runs[1].losses[0]" << QJsonValue(QJsonObject{})
                                        << at + "runs[1].losses[0] must be a number or null";
        QTest::newRow("steps -1") << "runs[1].steps" << QJsonValue(-1)
                                  << at + "runs[1].steps must be a whole number";
        QTest::newRow("no steps") << "runs[2].steps" << missing
                                  << at + "runs[2].steps must be a number";
        QTest::newRow("accuracy as text") << "runs[0].accuracy" << QJsonValue("high")
                                          << at + "runs[0].accuracy must be a number or null";
        QTest::newRow("delta norm true") << "runs[2].delta_norm" << QJsonValue(true)
                                         << at + "runs[2].delta_norm must be a number or null";
        QTest::newRow("params 1.5")
            << "runs[0].params" << QJsonValue(1.5) << at + "runs[0].params must be a whole number";
        QTest::newRow("no rank sweep")
            << "rank_sweep" << missing << at + "rank_sweep must be an array";
        QTest::newRow("sweep point an array") << "rank_sweep[1]" << QJsonValue(QJsonArray{})
                                              << at + "rank_sweep[1] must be an object";
        QTest::newRow("sweep rank 0") << "rank_sweep[0].rank" << QJsonValue(0)
                                      << at + "rank_sweep[0].rank must be a whole number";
        QTest::newRow("no norm") << "rank_sweep[2].norm" << missing
                                 << at + "rank_sweep[2].norm must be a number or null";
        QTest::newRow("scale_rslora true")
            << "rank_sweep[1].scale_rslora" << QJsonValue(true)
            << at + "rank_sweep[1].scale_rslora must be a number or null";
    }
    void malformed() {
        QFETCH(QString, path);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        const QJsonObject valid = variantsToJson(sample());
        const QJsonObject json = edited(valid, path, value);
        QVERIFY(json != valid); // the row changed something
        QCOMPARE(qErrorOf([&] { variantsFromJson(json); }), message);
    }
};

QTEST_APPLESS_MAIN(TestVariantsJson)
#include "tst_variants_json.moc"
