#include "persistence/run_history_json.h"

#include "persistence/json_reader.h"
#include "persistence/settings_json.h"
#include "util/error.h"

#include <QJsonArray>
#include <cmath>
#include <limits>

using lora::InputError;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const char* kindKey(RunKind kind) {
    switch (kind) {
    case RunKind::Lora:
        return "lora";
    case RunKind::Full:
        return "full";
    case RunKind::Base:
        break;
    }
    return "base";
}

// JSON has no NaN: a diverged loss or an accuracy never measured is written as null.
QJsonValue number(float v) {
    return std::isfinite(v) ? QJsonValue(shortestDouble(v)) : QJsonValue(QJsonValue::Null);
}

RunKind kindFrom(const QString& key, const std::string& where) {
    for (RunKind k : {RunKind::Base, RunKind::Lora, RunKind::Full})
        if (key == QLatin1String(kindKey(k))) return k;
    throw InputError(where + ".kind must be base, lora or full, not \"" +
                     key.left(20).toStdString() + "\"");
}

RecordedRun runFrom(const QJsonValue& value, const std::string& where) {
    const JsonReader r(value, where);
    RecordedRun run;
    run.id = static_cast<int>(r.whole("id", 1));
    run.kind = kindFrom(r.text("kind"), where);
    run.label = r.text("label");
    // Absent in session files written before runs carried their experiment.
    if (!r.value("experiment").isUndefined()) run.experiment = r.text("experiment");
    run.firstStep = r.whole("first_step", 1);
    const QJsonArray losses = r.array("losses");
    for (int i = 0; i < losses.size(); ++i) {
        if (!losses[i].isDouble() && !losses[i].isNull())
            throw InputError(where + ".losses[" + std::to_string(i) + "] must be a number");
        run.losses.push_back(static_cast<float>(losses[i].toDouble(kNaN)));
    }
    const QJsonArray epochs = r.array("epochs");
    for (int i = 0; i < epochs.size(); ++i) {
        const JsonReader e(epochs[i], where + ".epochs[" + std::to_string(i) + "]");
        lora::EpochProgress p;
        p.epoch = static_cast<int>(e.whole("epoch", 1));
        p.trainLoss = static_cast<float>(e.number("train_loss", true));
        p.validLoss = static_cast<float>(e.number("valid_loss", true));
        p.validAccuracy = static_cast<float>(e.number("valid_accuracy", true));
        run.epochs.push_back(p);
    }
    run.finished = r.flag("finished");
    if (run.finished) {
        run.result.steps = r.whole("steps", 0);
        run.result.seconds = r.number("seconds");
        run.result.samplesPerSecond = r.number("samples_per_second");
        run.result.stopped = r.flag("stopped");
        run.result.diverged = r.flag("diverged");
        if (run.result.diverged) {
            run.result.divergedAtStep = r.whole("diverged_at_step", 1);
            run.result.divergedLoss = static_cast<float>(r.number("diverged_loss", true));
        }
        run.testAccuracy = static_cast<float>(r.number("test_accuracy", true));
    }
    return run;
}

} // namespace

QJsonObject historyToJson(const RecordedHistory& history) {
    QJsonArray runs;
    for (const RecordedRun& r : history.runs) {
        QJsonArray losses, epochs;
        for (float l : r.losses) losses.append(number(l));
        for (const lora::EpochProgress& p : r.epochs)
            epochs.append(QJsonObject{{"epoch", p.epoch},
                                      {"train_loss", number(p.trainLoss)},
                                      {"valid_loss", number(p.validLoss)},
                                      {"valid_accuracy", number(p.validAccuracy)}});
        QJsonObject run{{"id", r.id},
                        {"kind", kindKey(r.kind)},
                        {"label", r.label},
                        {"experiment", r.experiment},
                        {"first_step", static_cast<double>(r.firstStep)},
                        {"losses", losses},
                        {"epochs", epochs},
                        {"finished", r.finished}};
        if (r.finished) {
            run["steps"] = static_cast<double>(r.result.steps);
            run["seconds"] = r.result.seconds;
            run["samples_per_second"] = r.result.samplesPerSecond;
            run["stopped"] = r.result.stopped;
            run["diverged"] = r.result.diverged;
            if (r.result.diverged) {
                run["diverged_at_step"] = static_cast<double>(r.result.divergedAtStep);
                run["diverged_loss"] = number(r.result.divergedLoss);
            }
            run["test_accuracy"] = number(r.testAccuracy);
        }
        runs.append(run);
    }
    QJsonArray points;
    for (const SweepPoint& p : history.sweep.points)
        points.append(QJsonObject{{"axis", p.rankAxis ? "rank" : "alpha"},
                                  {"rank", p.rank},
                                  {"alpha", shortestDouble(p.alpha)},
                                  {"trainable_params", static_cast<double>(p.trainableParams)},
                                  {"accuracy", number(p.accuracy)},
                                  {"seconds", p.seconds}});
    return QJsonObject{{"runs", runs},
                       {"sweep", QJsonObject{{"id", history.sweep.id},
                                             {"points", points},
                                             {"finished", history.sweep.finished},
                                             {"stopped", history.sweep.stopped}}}};
}

RecordedHistory historyFromJson(const QJsonObject& json) {
    const JsonReader top(json, "history");
    RecordedHistory history;
    const QJsonArray runArray = top.array("runs");
    if (runArray.size() > RunHistory::kMaxRuns)
        throw InputError("history.runs holds " + std::to_string(runArray.size()) +
                         " runs; a session keeps at most " + std::to_string(RunHistory::kMaxRuns));
    for (int i = 0; i < runArray.size(); ++i)
        history.runs.push_back(runFrom(runArray[i], "history.runs[" + std::to_string(i) + "]"));
    const JsonReader s(json.value(QLatin1String("sweep")), "history.sweep");
    RecordedSweep& sweep = history.sweep;
    sweep.id = static_cast<int>(s.whole("id", 0));
    sweep.finished = s.flag("finished");
    sweep.stopped = s.flag("stopped");
    const QJsonArray points = s.array("points");
    for (int i = 0; i < points.size(); ++i) {
        const JsonReader p(points[i], "history.sweep.points[" + std::to_string(i) + "]");
        SweepPoint point;
        point.runId = sweep.id;
        const QString axis = p.text("axis");
        if (axis != QLatin1String("rank") && axis != QLatin1String("alpha"))
            throw InputError(p.where() + ".axis must be rank or alpha");
        point.rankAxis = axis == QLatin1String("rank");
        point.rank = static_cast<int>(p.whole("rank", 1));
        point.alpha = static_cast<float>(p.number("alpha"));
        point.trainableParams = p.whole("trainable_params", 0);
        point.accuracy = static_cast<float>(p.number("accuracy", true));
        point.seconds = p.number("seconds");
        sweep.points.push_back(point);
    }
    return history;
}
