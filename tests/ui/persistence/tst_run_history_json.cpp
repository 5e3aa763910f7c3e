// The "history" object of a session file: a record with a diverged (NaN) loss, an
// unmeasured accuracy and a sweep round trips exactly (NaN as null); each malformed field is
// refused with the exact message naming its place.
#include "persistence/run_history_json.h"

#include "error_of.h"

#include <QJsonArray>
#include <QtTest>
#include <cmath>
#include <functional>

using lora::test::qErrorOf;

using Edit = std::function<void(QJsonObject&)>;
Q_DECLARE_METATYPE(Edit)

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

RecordedHistory sample() {
    RecordedHistory h;
    RecordedRun base;
    base.id = 1;
    base.label = "base";
    base.experiment = "Transfer 784-64-2";
    base.losses = {0.7f, 0.3f, 0.1f};
    base.epochs.push_back({1, 0.36666667f, 0.2f, 97.5f, 0});
    base.finished = true;
    base.result.steps = 3;
    base.result.seconds = 0.25;
    base.result.samplesPerSecond = 768;
    base.testAccuracy = 97.5f;
    RecordedRun lora;
    lora.id = 2;
    lora.kind = RunKind::Lora;
    lora.label = "LoRA r4";
    lora.firstStep = 1;
    lora.losses = {0.5f, kNaN};
    lora.finished = true;
    lora.result.steps = 1;
    lora.result.diverged = true;
    lora.result.divergedAtStep = 2;
    lora.result.divergedLoss = kNaN;
    lora.testAccuracy = kNaN; // never measured
    h.runs = {base, lora};
    h.sweep.id = 3;
    h.sweep.finished = true;
    h.sweep.points.push_back({3, true, 2, 1.0f, 1234, 91.25f, 0.5});
    return h;
}

bool same(float a, float b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

} // namespace

class TestRunHistoryJson : public QObject {
    Q_OBJECT
private slots:
    void roundTrip() {
        const RecordedHistory h = sample();
        const QJsonObject json = historyToJson(h);
        QCOMPARE(json["runs"].toArray()[1].toObject()["losses"].toArray()[1], QJsonValue());
        const RecordedHistory back = historyFromJson(json);
        QCOMPARE(back.runs.size(), h.runs.size());
        for (std::size_t i = 0; i < h.runs.size(); ++i) {
            const RecordedRun &a = h.runs[i], &b = back.runs[i];
            QCOMPARE(b.id, a.id);
            QCOMPARE(b.kind, a.kind);
            QCOMPARE(b.label, a.label);
            QCOMPARE(b.experiment, a.experiment);
            QCOMPARE(b.losses.size(), a.losses.size());
            for (std::size_t k = 0; k < a.losses.size(); ++k)
                QVERIFY(same(b.losses[k], a.losses[k]));
            QCOMPARE(b.epochs.size(), a.epochs.size());
            QCOMPARE(b.result.steps, a.result.steps);
            QCOMPARE(b.result.diverged, a.result.diverged);
            QVERIFY(same(b.testAccuracy, a.testAccuracy));
        }
        QCOMPARE(back.runs[0].epochs[0].validAccuracy, 97.5f);
        QCOMPARE(back.runs[1].result.divergedAtStep, 2L);
        QCOMPARE(back.sweep.points.size(), std::size_t(1));
        QCOMPARE(back.sweep.points[0].runId, 3);
        QCOMPARE(back.sweep.points[0].trainableParams, 1234L);
        QCOMPARE(back.sweep.points[0].accuracy, 91.25f);
        QCOMPARE(historyToJson(back), json);
    }

    // Session files written before runs carried their experiment still open: the runs have
    // none, and RunHistory::restore gives them the session's own.
    void runsWithoutExperimentStillRead() {
        QJsonObject json = historyToJson(sample());
        QJsonArray runs = json["runs"].toArray();
        for (int i = 0; i < runs.size(); ++i) {
            QJsonObject r = runs[i].toObject();
            r.remove("experiment");
            runs[i] = r;
        }
        json["runs"] = runs;
        const RecordedHistory back = historyFromJson(json);
        QCOMPARE(back.runs.size(), std::size_t(2));
        QVERIFY(back.runs[0].experiment.isEmpty());
    }

    void malformed_data() {
        QTest::addColumn<Edit>("edit");
        QTest::addColumn<QString>("message");
        auto run = [](int i, const char* key, QJsonValue v) -> Edit {
            return [=](QJsonObject& o) {
                QJsonArray runs = o["runs"].toArray();
                QJsonObject r = runs[i].toObject();
                r[key] = v;
                runs[i] = r;
                o["runs"] = runs;
            };
        };
        QTest::newRow("kind") << run(0, "kind", "magic")
                              << "history.runs[0].kind must be base, lora or full, not \"magic\"";
        QTest::newRow("loss text") << run(1, "losses", QJsonArray{0.5, "x"})
                                   << "history.runs[1].losses[1] must be a number";
        QTest::newRow("id") << run(0, "id", 0.5) << "history.runs[0].id must be a whole number";
        QTest::newRow("epochs") << run(0, "epochs", QJsonArray{7})
                                << "history.runs[0].epochs[0] must be an object";
        QTest::newRow("finished") << run(0, "finished", "yes")
                                  << "history.runs[0].finished must be true or false";
        QTest::newRow("experiment")
            << run(0, "experiment", 7) << "history.runs[0].experiment must be a string";
        QTest::newRow("runs") << Edit([](QJsonObject& o) { o["runs"] = 3; })
                              << "history.runs must be an array";
        QTest::newRow("sweep axis") << Edit([](QJsonObject& o) {
            QJsonObject s = o["sweep"].toObject();
            QJsonArray points = s["points"].toArray();
            QJsonObject p = points[0].toObject();
            p["axis"] = "beta";
            points[0] = p;
            s["points"] = points;
            o["sweep"] = s;
        }) << "history.sweep.points[0].axis must be rank or alpha";
    }
    void malformed() {
        QFETCH(Edit, edit);
        QFETCH(QString, message);
        QJsonObject json = historyToJson(sample());
        edit(json);
        QCOMPARE(qErrorOf([&] { historyFromJson(json); }), message);
    }

    // A session holds at most RunHistory::kMaxRuns runs: exactly that many load, one more is
    // refused before any run is read.
    void runCountIsCapped() {
        RecordedHistory many;
        for (int id = 1; id <= RunHistory::kMaxRuns; ++id) {
            RecordedRun run;
            run.id = id;
            run.label = "run";
            run.losses = {0.5f};
            many.runs.push_back(run);
        }
        QJsonObject json = historyToJson(many);
        QCOMPARE(int(historyFromJson(json).runs.size()), RunHistory::kMaxRuns);
        QJsonArray runs = json["runs"].toArray();
        runs.append(QJsonValue("not even a run"));
        json["runs"] = runs;
        QCOMPARE(qErrorOf([&] { historyFromJson(json); }),
                 QString("history.runs holds %1 runs; a session keeps at most %2")
                     .arg(RunHistory::kMaxRuns + 1)
                     .arg(RunHistory::kMaxRuns));
    }
};

QTEST_APPLESS_MAIN(TestRunHistoryJson)
#include "tst_run_history_json.moc"
