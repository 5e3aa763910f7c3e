#include "session/training_worker.h"

#include "data/class_task.h"
#include "data/classes.h"
#include "data/dataset.h"
#include "nn/architecture.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <QElapsedTimer>
#include <algorithm>
#include <exception>
#include <limits>
#include <new>
#include <optional>

using lora::InputError;

namespace {

// The data one run trains and validates on.
struct Task {
    lora::Dataset train, test;
};

Task taskFor(const RunRequest& r) {
    const ExperimentSettings& s = r.settings;
    const std::vector<int>& classes = r.kind == RunKind::Base ? s.baseClasses : s.targetClasses;
    // classTask refuses a test split with none of the classes, as the CLI does, before training.
    lora::ClassTask cut = lora::classTask(*r.data, classes);
    Task task{std::move(cut.train), std::move(cut.test)};
    if (r.kind != RunKind::Base && !s.trainDigits.empty()) {
        // Labels are positions in the class list by now, so translate the digits too.
        task.train = lora::filterKeepLabels(
            task.train, lora::classPositions(classes, s.trainDigits, "train digits"));
    }
    if (task.train.size() == 0)
        throw InputError("the dataset has no training images of the chosen digits");
    return task;
}

void checkRequest(const RunRequest& r) {
    if (!r.data) throw InputError("no dataset is loaded");
    r.settings.validate();
    if (r.kind == RunKind::Base) return;
    if (!r.base) throw InputError("train a base model first");
    const int classes = static_cast<int>(r.settings.targetClasses.size());
    if (r.base->outputs() != classes)
        throw InputError("the base model has " + std::to_string(r.base->outputs()) +
                         " outputs but " + std::to_string(classes) + " target classes are chosen");
}

QString labelFor(const RunRequest& r) {
    switch (r.kind) {
    case RunKind::Base:
        return QStringLiteral("base ") + QString::fromStdString(lora::formatArchitecture(
                                             lora::parseArchitecture(r.settings.architecture)));
    case RunKind::Lora:
        return QStringLiteral("LoRA r%1 α%2%3")
            .arg(r.settings.rank)
            .arg(QString::number(r.settings.alpha))
            .arg(r.settings.rslora ? QStringLiteral(" rsLoRA") : QString());
    case RunKind::Full:
        break;
    }
    return QStringLiteral("full fine-tune");
}

// The network a run starts from: fresh for Base, a copy of the base otherwise (the base
// snapshot is shared with the GUI and never touched).
lora::Mlp startingModel(const RunRequest& r) {
    const ExperimentSettings& s = r.settings;
    if (r.kind == RunKind::Base) {
        lora::Mlp model(s.architecture);
        lora::Rng rng(s.seed);
        model.initDefault(rng);
        return model;
    }
    lora::Mlp model(*r.base);
    model.detachLora(); // Full trains every weight; Lora starts from fresh adapters
    if (r.kind == RunKind::Lora) {
        lora::Rng rng(s.seed);
        model.attachLora({s.loraSpec(), s.targets}, rng);
    }
    return model;
}

} // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
    // Queued connections copy arguments through the meta-type system.
    qRegisterMetaType<RunKind>("RunKind");
    qRegisterMetaType<RunRequest>("RunRequest");
    qRegisterMetaType<StepBatch>("StepBatch");
    qRegisterMetaType<EpochUpdate>("EpochUpdate");
    qRegisterMetaType<RunOutcome>("RunOutcome");
    qRegisterMetaType<SweepRequest>("SweepRequest");
    qRegisterMetaType<SweepPoint>("SweepPoint");
}

void TrainingWorker::requestStop(int throughRunId) {
    {
        std::lock_guard lock(m_stopMutex);
        m_stopThrough = std::max(m_stopThrough, throughRunId);
        m_stop.request_stop();
    }
    m_gate.wake();
}

std::stop_token TrainingWorker::startRun(int runId) {
    std::lock_guard lock(m_stopMutex);
    m_stop = std::stop_source();
    if (runId <= m_stopThrough) m_stop.request_stop();
    return m_stop.get_token();
}

WorkerObserver::Reports TrainingWorker::reports() {
    return {[this](const StepBatch& batch) { emit stepsReported(batch); },
            [this](const EpochUpdate& update) { emit epochFinished(update); }};
}

namespace {
// Sizes within the model budget fit; this is a machine short of memory, and like bad input
// it ends the run with one line in a dialog, the previous state untouched.
const QString kOutOfMemory = QStringLiteral(
    "out of memory while training: the network, batch or rank is too large for this machine");
} // namespace

void TrainingWorker::run(const RunRequest& request) {
    try {
        runOnce(request);
    } catch (const std::bad_alloc&) {
        emit failed(request.runId, kOutOfMemory);
    } catch (const std::exception& e) {
        emit failed(request.runId, QString::fromStdString(lora::errorText(e)));
    }
}

void TrainingWorker::runSweep(const SweepRequest& request) {
    try {
        sweepOnce(request);
    } catch (const std::bad_alloc&) {
        emit failed(request.runId, kOutOfMemory);
    } catch (const std::exception& e) {
        emit failed(request.runId, QString::fromStdString(lora::errorText(e)));
    }
}

void TrainingWorker::runOnce(const RunRequest& request) {
    const std::stop_token stop = startRun(request.runId);
    checkRequest(request);
    const ExperimentSettings& s = request.settings;
    const Task task = taskFor(request);
    lora::Mlp model = startingModel(request);
    const lora::TrainOptions options =
        request.kind == RunKind::Base ? s.baseOptions() : s.fineTuneOptions();
    lora::Trainer trainer(model, options);

    const QString label = labelFor(request);
    emit runStarted(request.runId, request.kind, label);
    WorkerObserver::Setup setup;
    setup.runId = request.runId;
    setup.kind = request.kind;
    setup.epochs = options.epochs;
    setup.maxSteps = options.maxSteps;
    setup.batchSize = options.batchSize;
    setup.model = &model;
    setup.valid = &task.test;
    WorkerObserver observer(setup, stop, m_gate, reports());
    // Validation runs in the observer so that it can be skipped after a stop.
    lora::TrainResult result = trainer.run(task.train, nullptr, &observer, stop);
    observer.finish();
    result.epochs = observer.epochs();

    RunOutcome outcome;
    outcome.runId = request.runId;
    outcome.kind = request.kind;
    outcome.label = label;
    // A diverged run was rewound to its last finite weights (step N−1), which are a model
    // like a stopped run's: kept, and measured.
    outcome.model = std::make_shared<const lora::Mlp>(model);
    if (observer.validatedAtStep() == result.steps)
        outcome.testAccuracy = observer.validatedAccuracy(); // measured on these very weights
    else if (result.stopped)
        // Measuring now would hold the stop up by a test-set pass (~0.3 s for seed 001's
        // network); callers evaluate the snapshot off-thread if they want the number.
        outcome.testAccuracy = std::numeric_limits<float>::quiet_NaN();
    else
        outcome.testAccuracy = lora::evaluate(model, task.test).accuracy;
    outcome.result = std::move(result);
    emit runFinished(outcome);
}

void TrainingWorker::sweepOnce(const SweepRequest& request) {
    const std::stop_token stop = startRun(request.runId);
    if (request.ranks.empty() && request.alphas.empty())
        throw InputError("the sweep has no ranks and no alphas");
    struct Point {
        bool rankAxis;
        int rank;
        float alpha;
    };
    std::vector<Point> points;
    for (int r : request.ranks) points.push_back({true, r, request.settings.alpha});
    for (float a : request.alphas) points.push_back({false, request.settings.rank, a});

    RunRequest base{request.runId, RunKind::Lora, request.settings, request.base, request.data};
    for (const Point& p : points) {
        base.settings.rank = p.rank;
        base.settings.alpha = p.alpha;
        checkRequest(base); // names the bad rank or α before any training
    }
    const Task task = taskFor(base);

    bool stopped = false;
    for (const Point& p : points) {
        if (stop.stop_requested()) {
            stopped = true;
            break;
        }
        QElapsedTimer timer;
        timer.start();
        RunRequest one = base;
        one.settings.rank = p.rank;
        one.settings.alpha = p.alpha;
        lora::Mlp model = startingModel(one);
        const lora::TrainOptions options = one.settings.fineTuneOptions();
        WorkerObserver::Setup setup;
        setup.runId = request.runId;
        setup.kind = RunKind::Lora;
        setup.report = false;
        setup.epochs = options.epochs;
        setup.maxSteps = options.maxSteps;
        setup.batchSize = options.batchSize;
        WorkerObserver observer(setup, stop, m_gate, {});
        const lora::TrainResult result =
            lora::Trainer(model, options).run(task.train, nullptr, &observer, stop);
        if (result.stopped) {
            stopped = true; // a half-trained point would only mislead the chart
            break;
        }
        SweepPoint point;
        point.runId = request.runId;
        point.rankAxis = p.rankAxis;
        point.rank = p.rank;
        point.alpha = p.alpha;
        point.trainableParams = static_cast<long>(model.trainableParamCount());
        // A diverged point (too large an α) is plotted with its last finite weights' accuracy.
        point.accuracy = lora::evaluate(model, task.test).accuracy;
        point.seconds = timer.elapsed() / 1000.0;
        emit sweepPoint(point);
    }
    emit sweepFinished(request.runId, stopped);
}
