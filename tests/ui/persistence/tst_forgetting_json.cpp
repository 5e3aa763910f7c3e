// Forgetting results in a session file: every number the panel draws (the base's scores, the
// per-epoch series, both runs' summaries, the per-layer spectra) survives forgettingToJson,
// the JSON text and forgettingFromJson exactly, NaN included (written as null); every
// malformed field is refused with one line naming it.
#include "error_of.h"
#include "json_edit.h"
#include "persistence/forgetting_json.h"

#include <QtTest>
#include <limits>
#include <utility>

using lora::test::edited;
using lora::test::qErrorOf;
using lora::test::sameNumber;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

lora::LayerUpdate update(int layer, std::vector<double> sigma, int rank, double frobenius,
                         double energy, double loraNorm, int loraRank) {
    lora::LayerUpdate u;
    u.layer = layer;
    u.full.singularValues = Eigen::Map<const Eigen::VectorXd>(sigma.data(), sigma.size());
    u.full.numericalRank = rank;
    u.full.frobeniusNorm = frobenius;
    u.energyTopR = energy;
    u.loraNorm = loraNorm;
    u.loraRank = loraRank;
    return u;
}

// Two epochs after the base, percentages that are not exact doubles (0.1f), NaN wherever the
// format allows null, a stopped and diverged LoRA run and a layer LoRA does not target.
lora::ForgettingResult sample() {
    lora::ForgettingResult r;
    r.baseOld = 97.5f;
    r.baseNew = std::numeric_limits<float>::quiet_NaN();
    r.series = {{0, 12.5f, 97.5f, 12.5f, 97.5f, 97.5f},
                {1, 88.1f, 61.3f, 90.7f, 97.1f, 97.5f},
                {2, 0.1f, std::numeric_limits<float>::quiet_NaN(), 93.25f, 96.9f, 97.5f}};
    r.fullRun.steps = 120;
    r.fullRun.seconds = 1.0 / 3.0;
    r.loraRun.steps = 45;
    r.loraRun.seconds = 0.25;
    r.loraRun.stopped = true;
    r.loraRun.diverged = true;
    r.stopped = true;
    r.updates = {update(0, {3.5, 1.0 / 7.0, 0.0}, 2, 3.75, 0.9921875, 0.3125, 2),
                 update(1, {}, 0, kNaN, kNaN, 0.0, 0)};
    return r;
}

// Field by field: the result holds trained models, which the format leaves out.
void compareResults(const lora::ForgettingResult& read, const lora::ForgettingResult& saved) {
    QVERIFY(sameNumber(read.baseOld, saved.baseOld));
    QVERIFY(sameNumber(read.baseNew, saved.baseNew));
    QCOMPARE(read.series.size(), saved.series.size());
    for (std::size_t i = 0; i < saved.series.size(); ++i) {
        const lora::ForgettingPoint& a = read.series[i];
        const lora::ForgettingPoint& b = saved.series[i];
        QCOMPARE(a.epoch, b.epoch);
        QVERIFY2(sameNumber(a.fullNew, b.fullNew) && sameNumber(a.fullOld, b.fullOld) &&
                     sameNumber(a.loraNew, b.loraNew) && sameNumber(a.loraOnOld, b.loraOnOld) &&
                     sameNumber(a.loraOffOld, b.loraOffOld),
                 qPrintable(QString("series[%1]").arg(i)));
    }
    for (const auto& [a, b] :
         {std::pair(&read.fullRun, &saved.fullRun), std::pair(&read.loraRun, &saved.loraRun)}) {
        QCOMPARE(a->steps, b->steps);
        QCOMPARE(a->seconds, b->seconds);
        QCOMPARE(a->stopped, b->stopped);
        QCOMPARE(a->diverged, b->diverged);
    }
    QCOMPARE(read.stopped, saved.stopped);
    QCOMPARE(read.updates.size(), saved.updates.size());
    for (std::size_t i = 0; i < saved.updates.size(); ++i) {
        const lora::LayerUpdate& a = read.updates[i];
        const lora::LayerUpdate& b = saved.updates[i];
        QCOMPARE(a.layer, b.layer);
        QCOMPARE(a.full.singularValues.size(), b.full.singularValues.size());
        QVERIFY(a.full.singularValues == b.full.singularValues);
        QCOMPARE(a.full.numericalRank, b.full.numericalRank);
        QVERIFY(sameNumber(a.full.frobeniusNorm, b.full.frobeniusNorm));
        QVERIFY(sameNumber(a.energyTopR, b.energyTopR));
        QVERIFY(sameNumber(a.loraNorm, b.loraNorm));
        QCOMPARE(a.loraRank, b.loraRank);
    }
}

} // namespace

class TestForgettingJson : public QObject {
    Q_OBJECT
private slots:
    void roundTripsExactly() {
        const lora::ForgettingResult saved = sample();
        const QJsonObject json = forgettingToJson(saved);
        compareResults(forgettingFromJson(lora::test::throughText(json)), saved);
    }

    void nanIsWrittenAsNull() {
        const QJsonObject json = forgettingToJson(sample());
        QVERIFY(json["base_new"].isNull());
        QCOMPARE(json["base_old"].toDouble(), 97.5);
        QVERIFY(json["series"][2]["full_old"].isNull());
        QCOMPARE(json["series"][2]["full_new"].toDouble(), 0.1); // 0.1f's shortest form
        QVERIFY(json["updates"][1]["frobenius_norm"].isNull());
        QVERIFY(json["updates"][1]["energy_top_r"].isNull());
        QCOMPARE(json["updates"][1]["lora_norm"].toDouble(), 0.0);
    }

    void malformed_data() {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QJsonValue>("value"); // undefined: the field is removed
        QTest::addColumn<QString>("message");
        const QJsonValue missing(QJsonValue::Undefined);
        const QString at = "insights.forgetting.";
        QTest::newRow("no base_old")
            << "base_old" << missing << at + "base_old must be a number or null";
        QTest::newRow("base_new as text")
            << "base_new" << QJsonValue("97") << at + "base_new must be a number or null";
        QTest::newRow("no series") << "series" << missing << at + "series must be an array";
        QTest::newRow("series empty")
            << "series" << QJsonValue(QJsonArray{}) << at + "series must not be empty";
        QTest::newRow("series entry a number")
            << "series[1]" << QJsonValue(5) << at + "series[1] must be an object";
        QTest::newRow("epoch 1.5") << "series[1].epoch" << QJsonValue(1.5)
                                   << at + "series[1].epoch must be a whole number";
        QTest::newRow("epoch -1") << "series[0].epoch" << QJsonValue(-1)
                                  << at + "series[0].epoch must be a whole number";
        QTest::newRow("full_old as text") << "series[1].full_old" << QJsonValue("61.3")
                                          << at + "series[1].full_old must be a number or null";
        QTest::newRow("no lora_off_old") << "series[2].lora_off_old" << missing
                                         << at + "series[2].lora_off_old must be a number or null";
        QTest::newRow("no full_run") << "full_run" << missing << at + "full_run must be an object";
        QTest::newRow("lora_run an array")
            << "lora_run" << QJsonValue(QJsonArray{1}) << at + "lora_run must be an object";
        QTest::newRow("steps as text")
            << "lora_run.steps" << QJsonValue("45") << at + "lora_run.steps must be a number";
        QTest::newRow("steps 1e16")
            << "full_run.steps" << QJsonValue(1e16) << at + "full_run.steps must be a whole number";
        QTest::newRow("seconds null") << "full_run.seconds" << QJsonValue(QJsonValue::Null)
                                      << at + "full_run.seconds must be a number";
        QTest::newRow("stopped as 1")
            << "full_run.stopped" << QJsonValue(1) << at + "full_run.stopped must be true or false";
        QTest::newRow("no diverged")
            << "lora_run.diverged" << missing << at + "lora_run.diverged must be true or false";
        QTest::newRow("no stopped") << "stopped" << missing << at + "stopped must be true or false";
        QTest::newRow("updates an object")
            << "updates" << QJsonValue(QJsonObject{}) << at + "updates must be an array";
        QTest::newRow("update as text")
            << "updates[0]" << QJsonValue("fc1") << at + "updates[0] must be an object";
        QTest::newRow("layer 2.5") << "updates[0].layer" << QJsonValue(2.5)
                                   << at + "updates[0].layer must be a whole number";
        QTest::newRow("singular values an object")
            << "updates[0].singular_values" << QJsonValue(QJsonObject{})
            << at + "updates[0].singular_values must be an array";
        QTest::newRow("singular value as text")
            << "updates[0].singular_values[1]" << QJsonValue("big")
            << at + "updates[0].singular_values[1] must be a number";
        QTest::newRow("singular value null")
            << "updates[0].singular_values[0]" << QJsonValue(QJsonValue::Null)
            << at + "updates[0].singular_values[0] must be a number";
        QTest::newRow("numerical rank -1") << "updates[1].numerical_rank" << QJsonValue(-1)
                                           << at + "updates[1].numerical_rank must be a whole "
                                                   "number";
        QTest::newRow("frobenius norm true")
            << "updates[0].frobenius_norm" << QJsonValue(true)
            << at + "updates[0].frobenius_norm must be a number or null";
        QTest::newRow("no energy") << "updates[1].energy_top_r" << missing
                                   << at + "updates[1].energy_top_r must be a number or null";
        QTest::newRow("lora norm as text") << "updates[0].lora_norm" << QJsonValue("0.3")
                                           << at + "updates[0].lora_norm must be a number or null";
        QTest::newRow("no lora rank")
            << "updates[1].lora_rank" << missing << at + "updates[1].lora_rank must be a number";
    }
    void malformed() {
        QFETCH(QString, path);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        const QJsonObject json = edited(forgettingToJson(sample()), path, value);
        QVERIFY(json != forgettingToJson(sample())); // the row changed something
        QCOMPARE(qErrorOf([&] { forgettingFromJson(json); }), message);
    }
};

QTEST_APPLESS_MAIN(TestForgettingJson)
#include "tst_forgetting_json.moc"
