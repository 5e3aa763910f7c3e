#include "tabs/forgetting/forgetting_tab.h"

#include "tabs/forgetting/forgetting_charts.h"
#include "tabs/forgetting/update_spectrum_section.h"
#include "train/evaluate.h"
#include "util/error.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <functional>

namespace {

// Hears each scored epoch on the training thread and posts it to the panel.
struct Poster : lora::ForgettingObserver {
    std::function<void(lora::ForgettingRun, const lora::ForgettingPoint&)> post;
    void onEpoch(lora::ForgettingRun run, const lora::ForgettingPoint& point) override {
        post(run, point);
    }
};

} // namespace

ForgettingTab::ForgettingTab(QWidget* parent) : QWidget(parent) {
    m_task = new BackgroundTask(this);
    m_options.epochs = 5;
    m_runButton = new QPushButton(tr("Run"), this);
    m_runButton->setObjectName(QStringLiteral("runButton"));
    m_runButton->setToolTip(tr("Full fine-tune and LoRA from the same base, same data and seed"));
    m_stopButton = new QPushButton(tr("Stop"), this);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_epochsSpin = new QSpinBox(this);
    m_epochsSpin->setObjectName(QStringLiteral("epochsSpin"));
    m_epochsSpin->setRange(1, 50);
    m_epochsSpin->setValue(m_options.epochs);
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);

    m_charts = new ForgettingCharts(this);
    m_charts->setObjectName(QStringLiteral("accuracyCharts"));
    m_updateView = new UpdateSpectrumSection(this);
    m_updateView->setObjectName(QStringLiteral("updateView"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_runButton);
    controls->addWidget(m_stopButton);
    controls->addWidget(new QLabel(tr("Epochs:"), this));
    controls->addWidget(m_epochsSpin);
    controls->addWidget(m_statusLabel, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(m_charts, 1);
    layout->addWidget(m_updateView, 1);

    connect(m_runButton, &QPushButton::clicked, this, &ForgettingTab::run);
    connect(m_stopButton, &QPushButton::clicked, this, &ForgettingTab::stop);
    connect(m_epochsSpin, &QSpinBox::valueChanged, this, [this](int e) { m_options.epochs = e; });
    connect(m_task, &BackgroundTask::finished, this, &ForgettingTab::onFinished);
    connect(m_task, &BackgroundTask::failed, this, &ForgettingTab::onFailed);
    connect(m_task, &BackgroundTask::runningChanged, this, &ForgettingTab::updateRunState);
    updateRunState(false);
    m_statusLabel->setText(kIdleText());
    redrawAccuracy();
}

QString ForgettingTab::kIdleText() {
    return tr("Run trains a full fine-tune and LoRA on the new task.");
}

ForgettingTab::~ForgettingTab() {
    m_task->stop();
    m_task->waitForIdle(); // no job may post to a half-destroyed panel
}

QString ForgettingTab::readout() const {
    return m_updateView->readout();
}

void ForgettingTab::setTasks(const std::vector<int>& oldClasses,
                             const std::vector<int>& newClasses) {
    m_oldClasses = oldClasses;
    m_newClasses = newClasses;
    m_charts->setTasks(oldClasses, newClasses);
}

void ForgettingTab::setTrainOptions(const lora::TrainOptions& options) {
    m_options = options;
    m_epochsSpin->setValue(options.epochs); // clamps to the spin box's range
    m_options.epochs = m_epochsSpin->value();
}

void ForgettingTab::setSettings(const ExperimentSettings& settings) {
    setTasks(settings.baseClasses, settings.targetClasses);
    setLoraSettings({settings.loraSpec(), settings.targets});
    setTrainOptions(settings.fineTuneOptions());
}

void ForgettingTab::run() {
    if (!m_base || !m_data) {
        onFailed(m_base ? tr("no dataset loaded") : tr("train a base model first"));
        return;
    }
    m_fullPoints.clear();
    m_loraPoints.clear();
    m_result.reset();
    m_pending = std::make_shared<lora::ForgettingResult>();
    redrawAccuracy();
    m_updateView->setResult(nullptr);
    m_statusLabel->setText(tr("Training the full fine-tune…"));
    m_task->start([this, out = m_pending, base = m_base, data = m_data, oldC = m_oldClasses,
                   newC = m_newClasses, lora = m_lora, options = m_options](std::stop_token stop) {
        const lora::ForgettingTasks tasks{lora::filterClassesRemap(data->train, newC),
                                          lora::filterClassesRemap(data->test, newC),
                                          lora::filterClassesRemap(data->test, oldC)};
        // Posted points carry their run's result object: a superseded run's are dropped.
        const auto post = [this, out](lora::ForgettingRun run, const lora::ForgettingPoint& p) {
            QMetaObject::invokeMethod(
                this,
                [this, out, run, p] {
                    if (out == m_pending) addPoint(run, p);
                },
                Qt::QueuedConnection);
        };
        // The base's scores first, so the dashed lines are there while epoch 1 trains.
        lora::Mlp plain = *base;
        plain.detachLora();
        const float baseOld = lora::evaluate(plain, tasks.oldTest).accuracy;
        const float baseNew = lora::evaluate(plain, tasks.newTest).accuracy;
        const lora::ForgettingPoint start{0, baseNew, baseOld, baseNew, baseOld, baseOld};
        post(lora::ForgettingRun::Full, start);
        post(lora::ForgettingRun::Lora, start);
        Poster poster;
        poster.post = post;
        *out = lora::measureForgetting(*base, tasks, lora, options, options.seed, &poster, stop);
    });
}

void ForgettingTab::addPoint(lora::ForgettingRun run, const lora::ForgettingPoint& point) {
    (run == lora::ForgettingRun::Full ? m_fullPoints : m_loraPoints).push_back(point);
    const bool full = run == lora::ForgettingRun::Full;
    if (point.epoch > 0)
        m_statusLabel->setText(tr("%1: epoch %2 of %3 scored")
                                   .arg(full ? tr("Full fine-tune") : tr("LoRA"))
                                   .arg(point.epoch)
                                   .arg(m_options.epochs));
    redrawAccuracy();
}

void ForgettingTab::onFinished(bool stopped) {
    if (!m_pending) return;
    m_result = m_pending;
    m_pending.reset();
    present(stopped);
    emit finished(stopped);
}

void ForgettingTab::showResult(std::shared_ptr<const lora::ForgettingResult> result) {
    stop();
    m_pending.reset(); // a run still going is superseded
    m_result = std::move(result);
    if (m_result && !m_result->series.empty()) {
        present(m_result->stopped);
        return;
    }
    m_result.reset();
    m_fullPoints.clear();
    m_loraPoints.clear();
    redrawAccuracy();
    m_updateView->setResult(nullptr);
    m_statusLabel->setText(kIdleText());
}

void ForgettingTab::present(bool stopped) {
    // The result's series is authoritative (it has every epoch, even ones posted late).
    m_fullPoints = m_loraPoints = m_result->series;
    redrawAccuracy();
    m_updateView->setResult(m_result);
    const lora::ForgettingPoint& last = m_result->series.back();
    m_statusLabel->setText((stopped ? tr("Stopped. ") : tr("Done. ")) +
                           tr("Old task: base %1 %, full %2 %, LoRA off %3 %.")
                               .arg(m_result->baseOld, 0, 'f', 1)
                               .arg(last.fullOld, 0, 'f', 1)
                               .arg(last.loraOffOld, 0, 'f', 1));
}

void ForgettingTab::onFailed(const QString& message) {
    m_pending.reset();
    m_statusLabel->setText(tr("Error: %1").arg(message));
    emit errorOccurred(message);
}

void ForgettingTab::updateRunState(bool running) {
    m_runButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
}

void ForgettingTab::redrawAccuracy() {
    m_charts->setPoints(m_fullPoints, m_loraPoints, m_options.epochs);
}
