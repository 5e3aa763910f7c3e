#include "session/experiment_session.h"

#include "io/model_file.h"
#include "jobs/thread_priority.h"
#include "session/adapter_manager.h"
#include "session/session_contents.h"
#include "session/training_worker.h"
#include "session/weakest_digit_finder.h"

#include "util/error.h"

#include <QThread>
#include <algorithm>
#include <exception>
#include <limits>

namespace {

// The embedded digits live as long as the program; the pointer must not free them.
DataPtr embeddedData() {
    return DataPtr(&lora::loadEmbeddedMnist(), [](const lora::SplitData*) {});
}

} // namespace

ExperimentSession::ExperimentSession(QObject* parent)
    : QObject(parent), m_data(embeddedData()), m_thread(new QThread(this)),
      m_worker(new TrainingWorker), m_adapters(new AdapterManager(this)),
      m_weakestFinder(new WeakestDigitFinder(this)) {
    connect(m_weakestFinder, &WeakestDigitFinder::found, this, &ExperimentSession::onWeakestDigit);
    connect(m_weakestFinder, &WeakestDigitFinder::failed, this, &ExperimentSession::errorOccurred);
    connect(m_adapters, &AdapterManager::errorOccurred, this, &ExperimentSession::errorOccurred);
    connect(m_adapters, &AdapterManager::activeModelChanged, this,
            &ExperimentSession::modelsChanged);
    connect(m_adapters, &AdapterManager::targetClassesWanted, this,
            [this](const std::vector<int>& classes) {
                ExperimentSettings next = m_settings;
                next.targetClasses = classes;
                setSettings(next);
            });
    // The manager learns of every later change from setSettings, the data setters and restore.
    connect(this, &ExperimentSession::settingsChanged, this, &ExperimentSession::updateAdapterTask);
    connect(this, &ExperimentSession::dataChanged, this, &ExperimentSession::updateAdapterTask);
    updateAdapterTask();
    m_thread->setObjectName("training");
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &TrainingWorker::runStarted, this, &ExperimentSession::runStarted);
    connect(m_worker, &TrainingWorker::stepsReported, this, &ExperimentSession::stepsReported);
    connect(m_worker, &TrainingWorker::epochFinished, this, &ExperimentSession::epochFinished);
    connect(m_worker, &TrainingWorker::runFinished, this, &ExperimentSession::onRunFinished);
    connect(m_worker, &TrainingWorker::sweepPoint, this, &ExperimentSession::sweepPoint);
    connect(m_worker, &TrainingWorker::sweepFinished, this, [this](int runId, bool stopped) {
        if (runId == m_activeRunId) setRunning(false);
        emit sweepFinished(runId, stopped);
    });
    connect(m_worker, &TrainingWorker::failed, this, [this](int runId, const QString& message) {
        if (runId == m_activeRunId) setRunning(false);
        emit errorOccurred(message);
    });
    // Below the GUI thread (thread_priority.h), so the window answers first on 2 cores.
    connect(
        m_thread, &QThread::started, m_worker, [] { lowerCurrentThreadPriority(); },
        Qt::DirectConnection); // runs on the new thread itself
    m_thread->start();
}

ExperimentSession::~ExperimentSession() {
    // The worker checks the stop flag between batches, so the join is at most one batch.
    m_worker->requestStop(std::numeric_limits<int>::max()); // a queued run too
    m_thread->quit();
    m_thread->wait();
}

QString ExperimentSession::dataSource() const {
    return QString::fromStdString(m_data->source);
}

ModelPtr ExperimentSession::loraModel() const {
    return m_adapters->activeModel();
}

ModelPtr ExperimentSession::currentModel() const {
    return m_loraEnabled && loraModel() ? loraModel() : m_base;
}

QString ExperimentSession::currentLabel() const {
    if (!m_base) return tr("no model");
    if (!m_loraEnabled || !loraModel()) return tr("base");
    const AdapterLiveView& view = m_adapters->liveView();
    // The live sliders' view is named, so no panel passes it off as the trained adapter.
    const QString shown = view.isTrained() ? m_adapters->activeName()
                                           : tr("%1 at α %2, r′ %3")
                                                 .arg(m_adapters->activeName())
                                                 .arg(view.alpha())
                                                 .arg(view.rank());
    return (m_adapters->isMerged() ? tr("base + %1 (merged)") : tr("base + %1")).arg(shown);
}

bool ExperimentSession::isPaused() const {
    return m_worker->isPaused();
}

bool ExperimentSession::setSettings(const ExperimentSettings& settings) {
    if (!guarded([&] { settings.validate(); })) return false;
    // A new network shape or base task makes the trained models answer a different question.
    const bool baseStale = settings.architecture != m_settings.architecture ||
                           settings.baseClasses != m_settings.baseClasses;
    m_settings = settings;
    if (baseStale && (m_base || loraModel() || m_full)) {
        setBase(nullptr);
        emit modelsChanged();
    }
    emit settingsChanged(m_settings);
    return true;
}

bool ExperimentSession::openDataset(const QString& dir) {
    const bool ok = guarded([&] {
        m_data = std::make_shared<const lora::SplitData>(lora::loadMnistFolder(dir.toStdString()));
    });
    if (ok) emit dataChanged();
    return ok;
}

void ExperimentSession::useEmbeddedData() {
    m_data = embeddedData();
    emit dataChanged();
}

int ExperimentSession::claimRun(bool needsBase) {
    if (m_running) return 0;
    if (needsBase && !m_base) {
        emit errorOccurred(tr("train a base model first"));
        return 0;
    }
    m_activeRunId = m_nextRunId++;
    setRunning(true);
    return m_activeRunId;
}

bool ExperimentSession::startRun(RunKind kind) {
    const int runId = claimRun(kind != RunKind::Base);
    if (runId == 0) return false;
    RunRequest request;
    request.runId = runId;
    request.kind = kind;
    request.settings = m_settings;
    request.base = m_base;
    request.data = m_data;
    if (kind == RunKind::Lora) m_runBase = m_base;
    QMetaObject::invokeMethod(m_worker, "run", Qt::QueuedConnection, Q_ARG(RunRequest, request));
    return true;
}

void ExperimentSession::trainBase() {
    startRun(RunKind::Base);
}

void ExperimentSession::trainLora() {
    startRun(RunKind::Lora);
}

void ExperimentSession::fullFinetune() {
    startRun(RunKind::Full);
}

void ExperimentSession::runSweep(const std::vector<int>& ranks, const std::vector<float>& alphas) {
    const int runId = claimRun(true);
    if (runId == 0) return;
    SweepRequest request;
    request.runId = runId;
    request.settings = m_settings;
    request.base = m_base;
    request.data = m_data;
    request.ranks = ranks;
    request.alphas = alphas;
    QMetaObject::invokeMethod(m_worker, "runSweep", Qt::QueuedConnection,
                              Q_ARG(SweepRequest, request));
}

void ExperimentSession::pauseOrResume() {
    if (!m_running) {
        if (m_base)
            trainLora();
        else
            trainBase();
        return;
    }
    m_worker->setPaused(!m_worker->isPaused());
    emit pausedChanged(m_worker->isPaused());
}

void ExperimentSession::step() {
    if (!m_running) {
        // Paused before it starts: the loop runs its first batch, then waits.
        m_worker->setPaused(true);
        emit pausedChanged(true);
        if (!startRun(m_base ? RunKind::Lora : RunKind::Base)) {
            m_worker->setPaused(false);
            emit pausedChanged(false);
        }
        return;
    }
    if (!m_worker->isPaused()) {
        m_worker->setPaused(true);
        emit pausedChanged(true);
        return;
    }
    m_worker->stepOnce();
}

void ExperimentSession::stop() {
    m_worker->requestStop(m_activeRunId); // also when the worker has not picked it up yet
    if (m_worker->isPaused()) {
        m_worker->setPaused(false);
        emit pausedChanged(false);
    }
}

void ExperimentSession::reset() {
    stop();
    setBase(nullptr);
    emit modelsChanged();
}

void ExperimentSession::setLoraEnabled(bool enabled) {
    if (enabled == m_loraEnabled) return;
    m_loraEnabled = enabled;
    emit loraEnabledChanged(enabled);
}

bool ExperimentSession::guarded(const std::function<void()>& action) {
    try {
        action();
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(lora::errorText(e)));
        return false;
    }
    return true;
}

bool ExperimentSession::exportAdapter(const QString& dir) {
    if (!loraModel()) {
        emit errorOccurred(tr("there is no LoRA adapter to export yet; train or import one and "
                              "make it active"));
        return false;
    }
    return m_adapters->exportAdapter(m_adapters->activeName(), dir);
}

bool ExperimentSession::saveBase(const QString& path) {
    if (!m_base) {
        emit errorOccurred(tr("there is no base model to save yet"));
        return false;
    }
    return guarded([&] { lora::saveModel(path.toStdString(), *m_base, {m_settings.baseClasses}); });
}

bool ExperimentSession::loadBase(const QString& path) {
    try {
        lora::LoadedModel loaded = lora::loadModel(path.toStdString());
        ExperimentSettings next = m_settings;
        next.architecture = loaded.model.architecture();
        if (!loaded.info.classes.empty()) next.baseClasses = loaded.info.classes;
        next.validate();
        emit modelsAboutToBeReplaced(tr("Load base"));
        m_settings = next;
        setBase(std::make_shared<const lora::Mlp>(std::move(loaded.model)));
        findWeakestDigit();
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(lora::errorText(e)));
        return false;
    }
    emit settingsChanged(m_settings);
    emit modelsChanged();
    return true;
}

void ExperimentSession::updateAdapterTask() {
    m_adapters->setTask(m_data, m_settings.targetClasses);
}

void ExperimentSession::setRunning(bool running) {
    if (running == m_running) return;
    m_running = running;
    if (!running && m_worker->isPaused()) {
        m_worker->setPaused(false);
        emit pausedChanged(false);
    }
    emit runningChanged(running);
}

void ExperimentSession::setBase(ModelPtr base) {
    m_base = std::move(base);
    m_full.reset();
    m_weakestDigit = -1;
    m_adapters->setBase(m_base);
}

void ExperimentSession::findWeakestDigit() {
    m_weakestDigit = -1;
    m_trainDigitsAsked = m_settings.trainDigits;
    m_weakestFinder->find(m_base, m_data, m_settings.baseClasses);
}

void ExperimentSession::onWeakestDigit(const WeakestDigit& result) {
    if (result.base != m_base) return; // the base changed meanwhile
    m_weakestDigit = result.digit;
    emit weakestDigitFound(result.digit);
    const std::vector<int>& target = m_settings.targetClasses;
    const bool inTarget = std::find(target.begin(), target.end(), result.digit) != target.end();
    if (m_settings.preset != ExperimentPreset::FixWeakDigit || !inTarget ||
        m_settings.trainDigits != m_trainDigitsAsked ||
        m_settings.trainDigits == std::vector<int>{result.digit})
        return; // not this preset's choice, or the user's own
    ExperimentSettings next = m_settings;
    next.trainDigits = {result.digit};
    setSettings(next);
}

void ExperimentSession::onRunFinished(const RunOutcome& outcome) {
    // A stopped run still leaves a usable network (as TF Playground keeps stopped weights).
    if (outcome.model && outcome.result.steps > 0) {
        switch (outcome.kind) {
        case RunKind::Base:
            emit modelsAboutToBeReplaced(tr("Train base"));
            setBase(outcome.model); // adapters belong to the base they were trained on
            findWeakestDigit();
            break;
        case RunKind::Lora:
            // Unless the base changed while it trained, the adapter joins the library.
            if (m_runBase == m_base) m_adapters->addTrained(outcome.model, outcome.testAccuracy);
            break;
        case RunKind::Full:
            m_full = outcome.model;
            break;
        }
    }
    if (outcome.runId == m_activeRunId) setRunning(false);
    emit runFinished(outcome);
    emit modelsChanged();
    if (outcome.result.diverged)
        emit errorOccurred(tr("%1: %2; try a smaller learning rate")
                               .arg(outcome.label, QString::fromStdString(
                                                       lora::divergenceMessage(outcome.result))));
}

SessionContents ExperimentSession::snapshot() const {
    SessionContents c;
    c.settings = m_settings;
    if (m_data->source != "embedded") c.datasetDir = dataSource();
    c.loraEnabled = m_loraEnabled;
    c.base = m_base;
    c.full = m_full;
    if (const lora::AdapterLibrary* library = m_adapters->library()) {
        c.adapters = library->entries();
        c.activeAdapter = m_adapters->activeName();
        c.merged = library->merged();
    }
    return c;
}

bool ExperimentSession::restore(const SessionContents& c, DataPtr data, int lastRunId,
                                std::shared_ptr<lora::AdapterLibrary> library) {
    if (m_running) {
        emit errorOccurred(tr("a run is in progress; stop it before opening a session"));
        return false;
    }
    const bool ok = guarded([&] {
        c.settings.validate();
        if (c.base && data->test.features() != c.base->inputs())
            throw lora::InputError("the session's base takes " + std::to_string(c.base->inputs()) +
                                   " inputs but its dataset has " +
                                   std::to_string(data->test.features()) + " pixels per image");
        if (!c.base)
            library.reset();
        else if (!library)
            library = AdapterManager::buildLibrary(*c.base, c, *data);
    });
    if (!ok) return false;
    m_settings = c.settings;
    m_data = std::move(data);
    m_base = c.base;
    m_full = c.full;
    m_adapters->restore(std::move(library));
    m_nextRunId = std::max(m_nextRunId, lastRunId + 1);
    m_loraEnabled = c.loraEnabled;
    emit settingsChanged(m_settings);
    emit dataChanged();
    emit loraEnabledChanged(m_loraEnabled);
    emit modelsChanged();
    return true;
}
