#include "session/run_history.h"

#include "persistence/json_reader.h"
#include "persistence/settings_json.h"
#include "session/experiment_session.h"
#include "tabs/sweep/sweep_tab.h"
#include "tabs/training/training_tab.h"
#include "util/error.h"

#include <QJsonArray>
#include <algorithm>
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

RunHistory::Run runFrom(const QJsonValue& value, const std::string& where) {
    const JsonReader r(value, where);
    RunHistory::Run run;
    run.id = static_cast<int>(r.whole("id", 1));
    run.kind = kindFrom(r.text("kind"), where);
    run.label = r.text("label");
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

RunHistory::RunHistory(ExperimentSession* session, QObject* parent) : QObject(parent) {
    if (!session) return;
    connect(session, &ExperimentSession::runStarted, this,
            [this](int runId, RunKind kind, const QString& label) {
                std::erase_if(m_runs, [runId](const Run& r) { return r.id == runId; });
                Run run;
                run.id = runId;
                run.kind = kind;
                run.label = label;
                m_runs.push_back(std::move(run));
            });
    connect(session, &ExperimentSession::stepsReported, this, [this](const StepBatch& b) {
        Run* run = find(b.runId);
        if (!run) return;
        if (run->losses.empty()) run->firstStep = b.firstStep;
        run->losses.insert(run->losses.end(), b.losses.begin(), b.losses.end());
    });
    connect(session, &ExperimentSession::epochFinished, this, [this](const EpochUpdate& u) {
        if (Run* run = find(u.runId)) run->epochs.push_back(u.progress);
    });
    connect(session, &ExperimentSession::runFinished, this, [this](const RunOutcome& o) {
        Run* run = find(o.runId);
        if (!run) return;
        run->finished = true;
        run->result = o.result;
        run->result.epochs.clear(); // recorded one by one above
        run->result.stepLosses.clear();
        run->testAccuracy = o.testAccuracy;
    });
    connect(session, &ExperimentSession::sweepPoint, this, &RunHistory::onSweepPoint);
    connect(session, &ExperimentSession::sweepFinished, this, [this](int runId, bool stopped) {
        if (runId != m_sweep.id) startSweep(runId); // stopped before its first point
        m_sweep.finished = true;
        m_sweep.stopped = stopped;
    });
}

RunHistory::Run* RunHistory::find(int runId) {
    auto it =
        std::find_if(m_runs.begin(), m_runs.end(), [runId](const Run& r) { return r.id == runId; });
    return it == m_runs.end() ? nullptr : &*it;
}

int RunHistory::lastRunId() const {
    int id = m_sweep.id;
    for (const Run& r : m_runs) id = std::max(id, r.id);
    return id;
}

void RunHistory::onSweepPoint(const SweepPoint& point) {
    if (point.runId != m_sweep.id) startSweep(point.runId);
    m_sweep.points.push_back(point);
}

void RunHistory::startSweep(int runId) {
    m_sweep = Sweep();
    m_sweep.id = runId;
}

void RunHistory::clear() {
    m_runs.clear();
    clearSweep();
}

void RunHistory::clearSweep() {
    m_sweep = {};
}

QJsonObject RunHistory::toJson() const {
    QJsonArray runs;
    for (const Run& r : m_runs) {
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
    for (const SweepPoint& p : m_sweep.points)
        points.append(QJsonObject{{"axis", p.rankAxis ? "rank" : "alpha"},
                                  {"rank", p.rank},
                                  {"alpha", shortestDouble(p.alpha)},
                                  {"trainable_params", static_cast<double>(p.trainableParams)},
                                  {"accuracy", number(p.accuracy)},
                                  {"seconds", p.seconds}});
    return QJsonObject{{"runs", runs},
                       {"sweep", QJsonObject{{"id", m_sweep.id},
                                             {"points", points},
                                             {"finished", m_sweep.finished},
                                             {"stopped", m_sweep.stopped}}}};
}

void RunHistory::fromJson(const QJsonObject& json) {
    const JsonReader top(json, "history");
    std::vector<Run> runs;
    const QJsonArray runArray = top.array("runs");
    for (int i = 0; i < runArray.size(); ++i)
        runs.push_back(runFrom(runArray[i], "history.runs[" + std::to_string(i) + "]"));
    const JsonReader s(json.value(QLatin1String("sweep")), "history.sweep");
    Sweep sweep;
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
    m_runs = std::move(runs);
    m_sweep = std::move(sweep);
}

void RunHistory::replay(TrainingTab* training, SweepTab* sweepTab) const {
    training->clear();
    for (const Run& r : m_runs) {
        training->runStarted(r.id, r.kind, r.label);
        StepBatch batch;
        batch.runId = r.id;
        batch.firstStep = r.firstStep;
        batch.losses = r.losses;
        batch.epoch = r.epochs.empty() ? 1 : r.epochs.back().epoch;
        batch.stepsDone = batch.stepsTotal = r.firstStep - 1 + static_cast<long>(r.losses.size());
        if (!r.losses.empty()) training->stepsReported(batch);
        for (const lora::EpochProgress& p : r.epochs) training->epochFinished({r.id, r.kind, p});
        if (r.finished) {
            RunOutcome outcome;
            outcome.runId = r.id;
            outcome.kind = r.kind;
            outcome.label = r.label;
            outcome.result = r.result;
            outcome.testAccuracy = r.testAccuracy;
            training->runFinished(outcome);
        }
    }
    sweepTab->clear();
    for (const SweepPoint& p : m_sweep.points) sweepTab->addPoint(p);
    if (m_sweep.finished) sweepTab->sweepFinished(m_sweep.id, m_sweep.stopped);
}
