#include "session/run_history.h"

#include "session/experiment_session.h"

#include <algorithm>

RunHistory::RunHistory(ExperimentSession* session, QObject* parent)
    : QObject(parent), m_session(session) {
    if (!session) return;
    m_shown = experiment();
    // Another preset or network: its own runs come back, the others' leave the charts.
    connect(session, &ExperimentSession::settingsChanged, this, [this] {
        if (experiment() != m_shown) replay();
    });
    connect(session, &ExperimentSession::runStarted, this,
            [this](int runId, RunKind kind, const QString& label) {
                std::erase_if(m_recorded.runs,
                              [runId](const RecordedRun& r) { return r.id == runId; });
                RecordedRun run;
                run.id = runId;
                run.kind = kind;
                run.label = label;
                run.experiment = experiment();
                m_recorded.runs.push_back(std::move(run));
                if (m_recorded.runs.size() > static_cast<std::size_t>(kMaxRuns))
                    m_recorded.runs.erase(m_recorded.runs.begin());
            });
    connect(session, &ExperimentSession::stepsReported, this, [this](const StepBatch& b) {
        RecordedRun* run = find(b.runId);
        if (!run) return;
        if (run->losses.empty()) run->firstStep = b.firstStep;
        run->losses.insert(run->losses.end(), b.losses.begin(), b.losses.end());
    });
    connect(session, &ExperimentSession::epochFinished, this, [this](const EpochUpdate& u) {
        if (RecordedRun* run = find(u.runId)) run->epochs.push_back(u.progress);
    });
    connect(session, &ExperimentSession::runFinished, this, [this](const RunOutcome& o) {
        RecordedRun* run = find(o.runId);
        if (!run) return;
        run->finished = true;
        run->result = o.result;
        run->result.epochs.clear(); // recorded one by one above
        run->result.stepLosses.clear();
        run->testAccuracy = o.testAccuracy;
    });
    connect(session, &ExperimentSession::sweepPoint, this, &RunHistory::onSweepPoint);
    connect(session, &ExperimentSession::sweepFinished, this, [this](int runId, bool stopped) {
        if (runId != m_recorded.sweep.id) startSweep(runId); // stopped before its first point
        m_recorded.sweep.finished = true;
        m_recorded.sweep.stopped = stopped;
    });
}

QString RunHistory::experimentOf(const ExperimentSettings& settings) {
    return QStringLiteral("%1 %2").arg(
        QLatin1String(ExperimentSettings::presetKey(settings.preset)),
        QString::fromStdString(settings.architecture));
}

QString RunHistory::experiment() const {
    return m_session ? experimentOf(m_session->settings()) : QString();
}

int RunHistory::runCount(const QString& experiment) const {
    return static_cast<int>(
        std::count_if(m_recorded.runs.begin(), m_recorded.runs.end(),
                      [&](const RecordedRun& r) { return r.experiment == experiment; }));
}

// From the newest: reports almost always concern the run that started last.
RecordedRun* RunHistory::find(int runId) {
    auto it = std::find_if(m_recorded.runs.rbegin(), m_recorded.runs.rend(),
                           [runId](const RecordedRun& r) { return r.id == runId; });
    return it == m_recorded.runs.rend() ? nullptr : &*it;
}

int RecordedHistory::lastRunId() const {
    int id = sweep.id;
    for (const RecordedRun& r : runs) id = std::max(id, r.id);
    return id;
}

void RunHistory::onSweepPoint(const SweepPoint& point) {
    if (point.runId != m_recorded.sweep.id) startSweep(point.runId);
    m_recorded.sweep.points.push_back(point);
}

void RunHistory::startSweep(int runId) {
    m_recorded.sweep = RecordedSweep();
    m_recorded.sweep.id = runId;
}

void RunHistory::clear() {
    m_recorded.runs.clear();
    clearSweep();
}

void RunHistory::clearSweep() {
    m_recorded.sweep = {};
}

void RunHistory::clearExperiment() {
    const QString current = experiment();
    std::erase_if(m_recorded.runs, [&](const RecordedRun& r) { return r.experiment == current; });
    replay();
}

void RunHistory::restore(RecordedHistory recorded) {
    m_recorded = std::move(recorded);
    for (RecordedRun& r : m_recorded.runs)
        if (r.experiment.isEmpty()) r.experiment = experiment();
}

void RunHistory::replay() {
    m_shown = experiment();
    emit replayCleared();
    for (const RecordedRun& r : m_recorded.runs)
        if (r.experiment == m_shown) replayRun(r);
    emit replaySweepCleared();
    const RecordedSweep& sweep = m_recorded.sweep;
    for (const SweepPoint& p : sweep.points) emit replaySweepPoint(p);
    if (sweep.finished) emit replaySweepFinished(sweep.id, sweep.stopped);
}

void RunHistory::replayRun(const RecordedRun& r) {
    emit replayRunStarted(r.id, r.kind, r.label);
    StepBatch batch;
    batch.runId = r.id;
    batch.firstStep = r.firstStep;
    batch.losses = r.losses;
    batch.epoch = r.epochs.empty() ? 1 : r.epochs.back().epoch;
    batch.stepsDone = batch.stepsTotal = r.firstStep - 1 + static_cast<long>(r.losses.size());
    if (!r.losses.empty()) emit replayStepsReported(batch);
    for (const lora::EpochProgress& p : r.epochs) emit replayEpochFinished({r.id, r.kind, p});
    if (!r.finished) return;
    RunOutcome outcome;
    outcome.runId = r.id;
    outcome.kind = r.kind;
    outcome.label = r.label;
    outcome.result = r.result;
    outcome.testAccuracy = r.testAccuracy;
    emit replayRunFinished(outcome);
}
