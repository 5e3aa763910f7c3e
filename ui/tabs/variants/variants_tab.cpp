#include "tabs/variants/variants_tab.h"

#include "tabs/variants/scale_sweep_chart.h"
#include "tabs/variants/variant_picker_section.h"
#include "tabs/variants/variant_runs_section.h"
#include "train/scaling_sweep.h"
#include "train/step_budget.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {} // namespace

VariantsTab::VariantsTab(QWidget* parent) : QWidget(parent) {
    m_task = new BackgroundTask(this);
    m_options.maxSteps = 200;

    m_picker = new VariantPickerSection(this);
    m_picker->setObjectName(QStringLiteral("variantPicker"));

    m_rankSpin = new QSpinBox(this);
    m_rankSpin->setObjectName(QStringLiteral("rankSpin"));
    m_rankSpin->setRange(1, 64);
    m_rankSpin->setValue(4);
    m_alphaSpin = new QDoubleSpinBox(this);
    m_alphaSpin->setObjectName(QStringLiteral("alphaSpin"));
    m_alphaSpin->setRange(0.5, 256);
    m_alphaSpin->setValue(8);
    // fc1 by default: fc2 of a 784-64-2 net has 2 outputs, too few for PiSSA above rank 2.
    m_targetsCombo = new QComboBox(this);
    m_targetsCombo->setObjectName(QStringLiteral("targetsCombo"));
    m_targetsCombo->addItem(tr("fc1"), QStringList{QStringLiteral("fc1")});
    m_targetsCombo->addItem(tr("all layers"), QStringList{});
    m_stepsSpin = new QSpinBox(this);
    m_stepsSpin->setObjectName(QStringLiteral("stepsSpin"));
    m_stepsSpin->setRange(1, 100000);
    m_stepsSpin->setValue(int(m_options.maxSteps));
    m_stepsSpin->setToolTip(tr("Batches per variant"));
    m_trainButton = new QPushButton(tr("Train variants"), this);
    m_trainButton->setObjectName(QStringLiteral("trainButton"));
    m_sweepButton = new QPushButton(tr("Rank sweep"), this);
    m_sweepButton->setObjectName(QStringLiteral("sweepButton"));
    m_sweepButton->setToolTip(
        tr("Kaiming at ranks 1…64, fc1, %1 steps each, α/r and α/√r").arg(kSweepSteps));
    m_stopButton = new QPushButton(tr("Stop"), this);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);

    m_runsView = new VariantRunsSection(this);
    m_runsView->setObjectName(QStringLiteral("runsView"));
    m_sweepChart = new ScaleSweepChart(this);
    m_sweepChart->setObjectName(QStringLiteral("sweepChart"));

    auto* settings = new QGridLayout;
    settings->addWidget(new QLabel(tr("Rank:"), this), 0, 0);
    settings->addWidget(m_rankSpin, 0, 1);
    settings->addWidget(new QLabel(tr("α:"), this), 1, 0);
    settings->addWidget(m_alphaSpin, 1, 1);
    settings->addWidget(new QLabel(tr("Steps:"), this), 2, 0);
    settings->addWidget(m_stepsSpin, 2, 1);
    settings->addWidget(new QLabel(tr("Layers:"), this), 3, 0);
    settings->addWidget(m_targetsCombo, 3, 1);
    auto* buttons = new QVBoxLayout;
    buttons->addWidget(m_trainButton);
    buttons->addWidget(m_sweepButton);
    buttons->addWidget(m_stopButton);
    auto* top = new QHBoxLayout;
    top->addWidget(m_picker);
    top->addLayout(settings);
    top->addLayout(buttons);
    top->addWidget(m_statusLabel, 1);
    auto* results = new QVBoxLayout;
    results->addWidget(m_runsView, 1);
    results->addWidget(m_sweepChart, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(results, 1);

    connect(m_trainButton, &QPushButton::clicked, this, &VariantsTab::train);
    connect(m_sweepButton, &QPushButton::clicked, this, &VariantsTab::rankSweep);
    connect(m_stopButton, &QPushButton::clicked, this, &VariantsTab::stop);
    connect(m_task, &BackgroundTask::finished, this, &VariantsTab::onFinished);
    connect(m_task, &BackgroundTask::failed, this, &VariantsTab::onFailed);
    connect(m_task, &BackgroundTask::runningChanged, this, &VariantsTab::updateRunState);
    updateRunState(false);
    m_statusLabel->setText(tr("Train compares the checked variants; Rank sweep shows why "
                              "rsLoRA scales by α/√r."));
}

VariantsTab::~VariantsTab() {
    m_task->stop();
    m_task->waitForIdle(); // no job may post to a half-destroyed panel
}

void VariantsTab::setLoraSettings(int rank, float alpha, const std::vector<std::string>& targets) {
    m_rankSpin->setValue(rank);
    m_alphaSpin->setValue(alpha);
    // A known choice selects its entry; any other list gets an entry of its own.
    QStringList names;
    for (const std::string& t : targets) names << QString::fromStdString(t);
    int index = m_targetsCombo->findData(names);
    if (index < 0) {
        m_targetsCombo->addItem(names.join(QStringLiteral(", ")), names);
        index = m_targetsCombo->count() - 1;
    }
    m_targetsCombo->setCurrentIndex(index);
}

void VariantsTab::setTrainOptions(const lora::TrainOptions& options) {
    m_options = options;
    if (options.maxSteps > 0) m_stepsSpin->setValue(int(std::min<long>(options.maxSteps, 100000)));
}

void VariantsTab::setSettings(const ExperimentSettings& settings) {
    setTask(settings.targetClasses);
    // Targets stay the panel's own (fc1 unless set): the session's "fc1, fc2" would make
    // PiSSA above rank 2 fail on fc2 at the first click.
    m_rankSpin->setValue(settings.rank);
    m_alphaSpin->setValue(settings.alpha);
    lora::TrainOptions options = settings.fineTuneOptions();
    if (options.maxSteps <= 0) options.maxSteps = m_stepsSpin->value(); // keep the panel's
    setTrainOptions(options);
}

QString VariantsTab::status() const {
    return m_statusLabel->text();
}

std::vector<std::string> VariantsTab::targets() const {
    std::vector<std::string> out;
    for (const QString& t : m_targetsCombo->currentData().toStringList())
        out.push_back(t.toStdString());
    return out;
}

bool VariantsTab::ready() {
    if (m_base && m_data) return true;
    onFailed(m_base ? tr("no dataset loaded") : tr("train a base model first"));
    return false;
}

struct VariantsTab::Pending {
    std::vector<lora::VariantRun> runs;
};

void VariantsTab::train() {
    if (!ready()) return;
    const QStringList names = m_picker->selectedVariants();
    if (names.isEmpty()) return onFailed(tr("check at least one variant"));
    m_mode = Mode::Variants;
    m_runs.clear();
    m_runsView->setRuns(m_runs);
    auto pending = m_pending = std::make_shared<Pending>();
    lora::TrainOptions options = m_options;
    options.maxSteps = m_stepsSpin->value();
    m_statusLabel->setText(tr("Training %1 variants…").arg(names.size()));
    m_task->start([this, pending, names, options, base = m_base, data = m_data, classes = m_classes,
                   targets = targets(), rank = m_rankSpin->value(),
                   alpha = float(m_alphaSpin->value())](std::stop_token stop) {
        std::vector<lora::LoraVariant> variants;
        for (const QString& name : names)
            variants.push_back(lora::LoraVariant::parse(name.toStdString(), rank, alpha));
        const lora::Dataset train = lora::filterClassesRemap(data->train, classes);
        const lora::Dataset test = lora::filterClassesRemap(data->test, classes);
        const lora::TrainOptions stepped = lora::withEpochsFor(options, train.size());
        // Each finished variant is drawn at once, not after the last one.
        const auto progress = [this, pending](const std::vector<lora::VariantRun>& runs) {
            QMetaObject::invokeMethod(
                this,
                [this, pending, runs] {
                    if (pending != m_pending) return;
                    m_runs = runs;
                    m_runsView->setRuns(m_runs);
                },
                Qt::QueuedConnection);
        };
        pending->runs = lora::compareVariants(*base, train, test, variants, targets, stepped,
                                              options.seed, progress, stop);
    });
}

void VariantsTab::rankSweep() {
    if (!ready()) return;
    m_mode = Mode::Sweep;
    m_sweep.clear();
    m_sweepChart->setPoints(m_sweep);
    auto pending = m_pending = std::make_shared<Pending>();
    lora::TrainOptions options = m_options;
    options.maxSteps = kSweepSteps;
    m_statusLabel->setText(tr("Rank sweep: training rank 1…"));
    m_task->start([this, pending, options, base = m_base, data = m_data, classes = m_classes,
                   alpha = float(m_alphaSpin->value())](std::stop_token stop) {
        const lora::Dataset train = lora::filterClassesRemap(data->train, classes);
        const lora::Dataset test = lora::filterClassesRemap(data->test, classes);
        lora::ScalingSweep sweep; // ranks 1, 2, 4, …, 64 with Kaiming A
        sweep.alpha = alpha;
        // fc1 only: fc2 of a 784-64-2 net has 2 outputs, so its ΔW is rank ≤ 2 at any r.
        sweep.targets = {"fc1"};
        // Each finished rank is drawn at once, not after the last one.
        const auto progress = [this, pending](const ScalePoint& point) {
            QMetaObject::invokeMethod(
                this,
                [this, pending, point] {
                    if (pending != m_pending) return;
                    m_sweep.push_back(point);
                    m_sweepChart->setPoints(m_sweep);
                    m_statusLabel->setText(tr("Rank sweep: rank %1 done").arg(point.rank));
                },
                Qt::QueuedConnection);
        };
        lora::runScalingSweep(*base, train, test, sweep, lora::withEpochsFor(options, train.size()),
                              options.seed, progress, {}, stop);
    });
}

void VariantsTab::onFinished(bool stopped) {
    if (m_mode == Mode::Variants && m_pending) {
        m_runs = m_pending->runs;
        m_runsView->setRuns(m_runs);
        m_statusLabel->setText((stopped ? tr("Stopped after %1 variants.")
                                        : tr("Done: %1 variants, same seed and data."))
                                   .arg(m_runs.size()));
    } else {
        m_statusLabel->setText(
            (stopped ? tr("Rank sweep stopped at %1 ranks. ") : tr("Rank sweep done: %1 ranks. "))
                .arg(m_sweep.size()) +
            ScaleSweepChart::summary(m_sweep));
    }
    m_pending.reset();
    emit finished(stopped);
}

void VariantsTab::showResults(std::vector<lora::VariantRun> runs, std::vector<ScalePoint> sweep) {
    stop();
    m_pending.reset(); // a run still going is superseded
    m_runs = std::move(runs);
    m_sweep = std::move(sweep);
    m_runsView->setRuns(m_runs);
    m_sweepChart->setPoints(m_sweep);
    m_statusLabel->setText(m_runs.empty() && m_sweep.empty()
                               ? QString()
                               : tr("%1 variants and %2 sweep ranks from the session. ")
                                         .arg(m_runs.size())
                                         .arg(m_sweep.size()) +
                                     ScaleSweepChart::summary(m_sweep));
}

void VariantsTab::onFailed(const QString& message) {
    m_pending.reset();
    m_statusLabel->setText(tr("Error: %1").arg(message));
    emit errorOccurred(message);
}

void VariantsTab::updateRunState(bool running) {
    m_trainButton->setEnabled(!running);
    m_sweepButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
}
