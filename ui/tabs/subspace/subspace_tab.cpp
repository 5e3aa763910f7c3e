#include "tabs/subspace/subspace_tab.h"

#include "train/step_budget.h"
#include "train/variants.h"
#include "util/error.h"
#include "widgets/similarity_grid_widget.h"

#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

#include <utility>

namespace {

const QStringList kRows = {
    QObject::tr("‖ΔW‖_F"),
    QObject::tr("‖UᵀWV‖_F, U, V = top-r of ΔW"),
    QObject::tr("‖UᵀWV‖_F, U, V = top-r of W"),
    QObject::tr("‖UᵀWV‖_F, U, V random"),
    QObject::tr("‖W‖_F"),
    QObject::tr("amplification ‖ΔW‖ / ‖UᵀWV‖ (ΔW's)"),
};

QSpinBox* rankSpin(int value, const char* name, QWidget* parent) {
    auto* spin = new QSpinBox(parent);
    spin->setObjectName(QLatin1String(name));
    spin->setRange(1, 64);
    spin->setValue(value);
    return spin;
}

} // namespace

SubspaceTab::SubspaceTab(QWidget* parent) : QWidget(parent) {
    m_task = new BackgroundTask(this);
    m_options.maxSteps = 300;
    m_rank1Spin = rankSpin(8, "rank1Spin", this);
    m_rank2Spin = rankSpin(64, "rank2Spin", this);
    m_trainButton = new QPushButton(tr("Train both"), this);
    m_trainButton->setObjectName(QStringLiteral("trainButton"));
    m_trainButton->setToolTip(tr("Two Kaiming LoRA runs on fc1, same seed and data"));
    m_stopButton = new QPushButton(tr("Stop"), this);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_statusLabel->setWordWrap(true);
    m_grid = new SimilarityGridWidget(this);
    m_grid->setObjectName(QStringLiteral("phiGrid"));
    m_grid->clear(tr("φ(i, j) appears after both runs"));
    m_table = new QTableWidget(int(kRows.size()), 2, this);
    m_table->setObjectName(QStringLiteral("amplificationTable"));
    m_table->setVerticalHeaderLabels(kRows);
    m_table->setHorizontalHeaderLabels({tr("r1"), tr("r2")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setSizeAdjustPolicy(QAbstractScrollArea::AdjustToContents); // no empty rows below

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("r1:"), this));
    controls->addWidget(m_rank1Spin);
    controls->addWidget(new QLabel(tr("r2:"), this));
    controls->addWidget(m_rank2Spin);
    controls->addWidget(m_trainButton);
    controls->addWidget(m_stopButton);
    controls->addWidget(m_statusLabel, 1);
    auto* phiBox = new QGroupBox(tr("Subspace similarity of A_r1 and A_r2 (fc1): "
                                    "φ(i, j) = ‖U_r1⁽ⁱ⁾ᵀ U_r2⁽ʲ⁾‖²_F / min(i, j)"),
                                 this);
    (new QVBoxLayout(phiBox))->addWidget(m_grid);
    auto* ampBox = new QGroupBox(tr("Amplification of fc1 (does ΔW amplify directions W "
                                    "does not emphasise?)"),
                                 this);
    (new QVBoxLayout(ampBox))->addWidget(m_table);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    layout->addWidget(phiBox, 3);
    layout->addWidget(ampBox);

    connect(m_trainButton, &QPushButton::clicked, this, &SubspaceTab::train);
    connect(m_stopButton, &QPushButton::clicked, this, &SubspaceTab::stop);
    connect(m_task, &BackgroundTask::finished, this, &SubspaceTab::onFinished);
    connect(m_task, &BackgroundTask::failed, this, &SubspaceTab::onFailed);
    connect(m_task, &BackgroundTask::runningChanged, this, &SubspaceTab::updateRunState);
    updateRunState(false);
    m_statusLabel->setText(tr("Trains LoRA on fc1 at ranks r1 and r2 and compares them."));
}

SubspaceTab::~SubspaceTab() {
    m_task->stop();
    m_task->waitForIdle();
}

const Eigen::MatrixXd& SubspaceTab::phi() const {
    return m_grid->grid();
}
QString SubspaceTab::status() const {
    return m_statusLabel->text();
}
void SubspaceTab::setBase(ModelPtr base) {
    m_base = std::move(base);
}
void SubspaceTab::setData(DataPtr data) {
    m_data = std::move(data);
}
void SubspaceTab::setTask(const std::vector<int>& classes) {
    m_classes = classes;
}
void SubspaceTab::setAlpha(float alpha) {
    m_alpha = alpha;
}
void SubspaceTab::stop() {
    m_task->stop();
}

void SubspaceTab::showResult(const Eigen::MatrixXd& phi,
                             const std::array<lora::Amplification, 2>& amp) {
    stop();
    m_pending.reset(); // a run still going is superseded
    if (phi.size() == 0) {
        m_grid->setGrid(Eigen::MatrixXd(), QString(), QString());
        m_amp = {};
        m_table->clearContents();
        m_statusLabel->clear();
        return;
    }
    showAnalysis({phi, amp, int(phi.rows()), int(phi.cols())});
}

void SubspaceTab::setTrainOptions(const lora::TrainOptions& options) {
    m_options = options;
    if (m_options.maxSteps <= 0) m_options.maxSteps = 300;
}

void SubspaceTab::setSettings(const ExperimentSettings& settings) {
    setTask(settings.targetClasses);
    setAlpha(settings.alpha);
    setTrainOptions(settings.fineTuneOptions());
}

void SubspaceTab::setRanks(int r1, int r2) {
    m_rank1Spin->setValue(r1);
    m_rank2Spin->setValue(r2);
}

namespace {

// φ of the two A's of fc1 and each ΔW's amplification, measured against the base's W.
void analyseInto(const lora::Mlp& base, const lora::AdapterWeights& first,
                 const lora::AdapterWeights& second, Eigen::MatrixXd& phi,
                 std::array<lora::Amplification, 2>& amp) {
    const lora::LayerAdapter* a = first.find(0);
    const lora::LayerAdapter* b = second.find(0);
    if (!a || !b) throw lora::InputError("both adapters must target fc1");
    phi = lora::subspaceSimilarity(a->A, b->A);
    lora::Rng rng(0); // the random baseline is the same draw every time
    amp[0] = lora::amplification(base.layer(0).W, a->delta(), int(a->A.rows()), rng);
    amp[1] = lora::amplification(base.layer(0).W, b->delta(), int(b->A.rows()), rng);
}

} // namespace

void SubspaceTab::train() {
    if (!m_base || !m_data)
        return onFailed(m_base ? tr("no dataset loaded") : tr("train a base model first"));
    auto pending = m_pending = std::make_shared<Analysis>();
    m_statusLabel->setText(
        tr("Training ranks %1 and %2…").arg(m_rank1Spin->value()).arg(m_rank2Spin->value()));
    m_task->start([pending, base = m_base, data = m_data, classes = m_classes, alpha = m_alpha,
                   options = m_options, r1 = m_rank1Spin->value(),
                   r2 = m_rank2Spin->value()](std::stop_token stop) {
        const lora::Dataset train = lora::filterClassesRemap(data->train, classes);
        const auto runs = lora::compareVariants(
            *base, train, lora::filterClassesRemap(data->test, classes),
            {lora::LoraVariant::parse("kaiming", r1, alpha),
             lora::LoraVariant::parse("kaiming", r2, alpha)},
            {"fc1"}, lora::withEpochsFor(options, train.size()), options.seed, {}, stop);
        if (runs.size() < 2 || stop.stop_requested()) return; // stopped: nothing to analyse
        analyseInto(*base, runs[0].adapter, runs[1].adapter, pending->phi, pending->amp);
    });
}

void SubspaceTab::analyse(const lora::AdapterWeights& first, const lora::AdapterWeights& second) {
    if (!m_base) return onFailed(tr("set the base model the adapters belong to first"));
    auto pending = m_pending = std::make_shared<Analysis>();
    m_statusLabel->setText(tr("Analysing…"));
    m_task->start([pending, base = m_base, first, second](std::stop_token) {
        analyseInto(*base, first, second, pending->phi, pending->amp);
    });
}

void SubspaceTab::onFinished(bool stopped) {
    const std::shared_ptr<Analysis> result = std::exchange(m_pending, nullptr);
    if (stopped || !result || result->phi.size() == 0) {
        m_statusLabel->setText(tr("Stopped."));
        emit finished(true);
        return;
    }
    showAnalysis(*result);
    emit finished(false);
}

void SubspaceTab::showAnalysis(const Analysis& analysis) {
    const int r1 = int(analysis.phi.rows()), r2 = int(analysis.phi.cols());
    m_grid->setGrid(analysis.phi, tr("i (A, r1 = %1)").arg(r1), tr("j (A, r2 = %1)").arg(r2));
    m_amp = analysis.amp;
    m_table->setHorizontalHeaderLabels({tr("ΔW of r1 = %1").arg(r1), tr("ΔW of r2 = %1").arg(r2)});
    for (int c = 0; c < 2; ++c) {
        const lora::Amplification& a = m_amp[c];
        const double values[] = {a.deltaNorm,          a.projectionOnDelta, a.projectionOnWeight,
                                 a.projectionOnRandom, a.weightNorm,        a.factor};
        for (int row = 0; row < 6; ++row) {
            auto* item = new QTableWidgetItem(QString::number(values[row], 'f', row == 5 ? 1 : 3));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, c, item);
        }
    }
    m_statusLabel->setText(tr("φ(1, 1) = %1; mean φ(i, i) over i ≤ %2: %3")
                               .arg(analysis.phi(0, 0), 0, 'f', 3)
                               .arg(std::min(r1, r2))
                               .arg(analysis.phi.diagonal().mean(), 0, 'f', 3));
}

void SubspaceTab::onFailed(const QString& message) {
    m_pending.reset();
    m_statusLabel->setText(tr("Error: %1").arg(message));
    emit errorOccurred(message);
}

void SubspaceTab::updateRunState(bool running) {
    m_trainButton->setEnabled(!running);
    m_stopButton->setEnabled(running);
}
