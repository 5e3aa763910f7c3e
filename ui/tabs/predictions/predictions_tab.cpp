#include "tabs/predictions/predictions_tab.h"

#include "jobs/background_pool.h"
#include "tabs/predictions/wrong_counts_chart.h"
#include "widgets/confusion_widget.h"
#include "widgets/digit_grid_widget.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>
#include <cmath>
#include <limits>

namespace {

constexpr int kShownSamples = 32; // 4 rows of DigitGridWidget::kColumns

QString formatClasses(const std::vector<int>& classes) {
    if (classes == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) return QObject::tr("all digits");
    QStringList digits;
    for (int c : classes) digits << QString::number(c);
    return digits.join(QStringLiteral(", "));
}

QComboBox* makeCombo(const char* name, const QStringList& items, QWidget* parent) {
    auto* combo = new QComboBox(parent);
    combo->setObjectName(QLatin1String(name));
    combo->addItems(items);
    combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    return combo;
}

QString percent(float value) {
    return QStringLiteral("%1 %").arg(value, 0, 'f', 2);
}

} // namespace

PredictionsTab::PredictionsTab(QWidget* parent) : QWidget(parent) {
    m_taskCombo = makeCombo("taskCombo", {tr("Fine-tuning task"), tr("Base task")}, this);
    m_modelCombo = makeCombo("modelCombo",
                             {tr("LoRA toggle's model"), tr("Base"), tr("Base + LoRA"),
                              tr("Merged W + s·BA"), tr("Full fine-tune")},
                             this);
    m_modelCombo->setToolTip(tr("The LoRA toggle's model follows the toggle; the others stay"));
    m_orderCombo = makeCombo(
        "orderCombo",
        {tr("Spread over the split"), tr("Mistakes only"), tr("Least confident first")}, this);
    m_accuracyLabel = new QLabel(tr("No model yet"), this);
    m_accuracyLabel->setObjectName("accuracyLabel");
    QFont headerFont = m_accuracyLabel->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.25);
    headerFont.setBold(true);
    m_accuracyLabel->setFont(headerFont);
    m_beforeAfterLabel = new QLabel(this);
    m_beforeAfterLabel->setObjectName("beforeAfterLabel");
    m_beforeAfterLabel->setFont(headerFont);
    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName("messageLabel");
    m_messageLabel->setStyleSheet("color: #b22222;");
    m_messageLabel->setWordWrap(true);
    m_messageLabel->hide();
    m_gridNote = new QLabel(this);
    m_gridNote->setObjectName("gridNote");
    m_gridNote->hide();

    m_grid = new DigitGridWidget(this);
    m_confusion = new ConfusionWidget(this);
    m_wrongCounts = new WrongCountsChart(this);
    m_wrongCounts->setObjectName("wrongCountsChart");

    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Evaluate on:"), this));
    header->addWidget(m_taskCombo);
    header->addWidget(new QLabel(tr("Model:"), this));
    header->addWidget(m_modelCombo);
    header->addWidget(new QLabel(tr("Show:"), this));
    header->addWidget(m_orderCombo);
    header->addStretch(1);
    auto* gridColumn = new QVBoxLayout;
    gridColumn->addWidget(new QLabel(tr("Test digits: predicted / true (wrong in red)"), this));
    gridColumn->addWidget(m_gridNote);
    gridColumn->addWidget(m_grid, 1);
    auto* confusionColumn = new QVBoxLayout;
    confusionColumn->addWidget(new QLabel(tr("Confusion matrix, whole test split"), this));
    confusionColumn->addWidget(m_confusion, 1);
    confusionColumn->addWidget(m_wrongCounts, 1);
    auto* body = new QHBoxLayout;
    body->addLayout(gridColumn, 3);
    body->addLayout(confusionColumn, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_accuracyLabel);
    layout->addWidget(m_beforeAfterLabel);
    layout->addWidget(m_messageLabel);
    layout->addLayout(body, 1);

    m_watcher = new QFutureWatcher<std::shared_ptr<PredictionResult>>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &PredictionsTab::onEvaluated);
    connect(m_watcher, &QFutureWatcherBase::resultReadyAt, this, &PredictionsTab::onPreview);
    connect(m_taskCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_showBase = index == 1;
        reload();
    });
    connect(m_modelCombo, &QComboBox::currentIndexChanged, this, [this] {
        clearOutcome(); // another model: the last one's figures would mislead while it runs
        evaluate();
    });
    connect(m_orderCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_order = static_cast<SampleOrder>(index);
        reload();
    });
}

float PredictionsTab::accuracy() const {
    return m_accuracy;
}
int PredictionsTab::correct() const {
    return m_correct;
}
int PredictionsTab::total() const {
    return m_total;
}
float PredictionsTab::baseAccuracy() const {
    return m_baseAccuracy;
}
bool PredictionsTab::isEvaluating() const {
    return m_pending != 0;
}

const std::vector<int>& PredictionsTab::classes() const {
    return m_showBase ? m_baseClasses : m_targetClasses;
}

ModelPtr PredictionsTab::chosenModel() const {
    switch (static_cast<ModelChoice>(m_modelCombo->currentIndex())) {
    case ModelChoice::Base:
        return m_base;
    case ModelChoice::Lora:
    case ModelChoice::Merged:
        return m_lora;
    case ModelChoice::Full:
        return m_full;
    case ModelChoice::Current:
        break;
    }
    return m_model;
}

QString PredictionsTab::shownLabel() const {
    switch (static_cast<ModelChoice>(m_modelCombo->currentIndex())) {
    case ModelChoice::Base:
        return tr("base");
    case ModelChoice::Lora:
        return tr("base + LoRA");
    case ModelChoice::Merged:
        return tr("merged W + s·BA");
    case ModelChoice::Full:
        return tr("full fine-tune");
    case ModelChoice::Current:
        break;
    }
    return m_label;
}

void PredictionsTab::setEvaluationCache(std::shared_ptr<EvaluationCache> cache) {
    m_cache = std::move(cache);
}

void PredictionsTab::setModel(ModelPtr model, const QString& label) {
    m_model = std::move(model);
    m_label = label;
    evaluate();
}

void PredictionsTab::setChoices(ModelPtr base, ModelPtr lora, ModelPtr full) {
    const bool same = base == m_base && lora == m_lora && full == m_full;
    m_base = std::move(base);
    m_lora = std::move(lora);
    m_full = std::move(full);
    // The Current choice waits for setModel, which the main window sends right after.
    if (!same && m_modelCombo->currentIndex() != static_cast<int>(ModelChoice::Current)) evaluate();
}

void PredictionsTab::setTask(DataPtr data, const std::vector<int>& targetClasses,
                             const std::vector<int>& baseClasses) {
    // The main window passes the task with every settings change (a rank-slider tick too):
    // an unchanged task keeps its digits and evaluation instead of re-running them.
    if (data && data == m_data && targetClasses == m_targetClasses && baseClasses == m_baseClasses)
        return;
    m_data = std::move(data);
    m_targetClasses = targetClasses;
    m_baseClasses = baseClasses;
    m_taskCombo->setItemText(0, tr("Fine-tuning task %1").arg(formatClasses(targetClasses)));
    m_taskCombo->setItemText(1, tr("Base task %1").arg(formatClasses(baseClasses)));
    reload();
}

void PredictionsTab::showBaseTask(bool base) {
    if (m_taskCombo->currentIndex() != (base ? 1 : 0))
        m_taskCombo->setCurrentIndex(base ? 1 : 0); // its signal reloads
}

void PredictionsTab::setModelChoice(ModelChoice choice) {
    m_modelCombo->setCurrentIndex(static_cast<int>(choice)); // its signal evaluates
}

void PredictionsTab::showRunResult(const RunOutcome& outcome) {
    if (!outcome.model || outcome.result.steps == 0) return; // nothing was trained
    if (outcome.kind == RunKind::Full) {
        m_full = outcome.model; // setChoices follows with the same model: no second pass
        if (m_modelCombo->currentIndex() == static_cast<int>(ModelChoice::Full))
            evaluate();
        else
            setModelChoice(ModelChoice::Full);
    } else if (outcome.kind == RunKind::Lora) {
        setModelChoice(ModelChoice::Current);
    }
}

void PredictionsTab::setOrder(SampleOrder order) {
    m_orderCombo->setCurrentIndex(static_cast<int>(order)); // its signal reloads
}

// The task or the order changed: new digits for the grid, then a fresh evaluation.
void PredictionsTab::reload() {
    clearOutcome();
    m_grid->clear();
    evaluate();
}

void PredictionsTab::evaluate() {
    ++m_generation; // any evaluation still running is now stale
    m_pending = 0;
    m_messageLabel->hide();
    m_gridNote->hide();
    m_accuracy = 0;
    m_baseAccuracy = std::numeric_limits<float>::quiet_NaN();
    m_correct = m_total = 0;
    if (!m_data || classes().empty()) {
        clearOutcome();
        m_accuracyLabel->setText(tr("No data yet"));
        return;
    }
    const QString task = formatClasses(classes());
    const ModelPtr chosen = chosenModel();
    const QString label = shownLabel();
    const QString problem = mismatch(chosen);
    const ModelPtr model = problem.isEmpty() ? chosen : nullptr;
    // A model to evaluate keeps the figures shown until its own land, so that a slider drag
    // updates them in place instead of blanking the panel at every tick.
    if (!model) clearOutcome();
    if (!chosen) {
        m_accuracyLabel->setText(
            m_modelCombo->currentIndex() == static_cast<int>(ModelChoice::Current) || !m_base
                ? tr("No model yet — train a base to see predictions on %1").arg(task)
                : tr("No %1 yet — train one to see its predictions on %2").arg(label, task));
    } else if (!problem.isEmpty()) {
        m_messageLabel->setText(problem);
        m_messageLabel->show();
        m_accuracyLabel->setText(tr("%1 — not evaluated on %2").arg(label, task));
    } else {
        m_accuracyLabel->setText(tr("%1 — evaluating on %2…").arg(label, task));
    }
    // Without a model only the grid's digits need the pass, once.
    if (!model && m_grid->cellCount() > 0) return;

    PredictionRequest request;
    request.generation = m_generation;
    request.model = model;
    request.base = model && mismatch(m_base).isEmpty() ? m_base : nullptr;
    request.mergeModel = m_modelCombo->currentIndex() == static_cast<int>(ModelChoice::Merged);
    request.data = m_data;
    request.classes = classes();
    request.order = m_order;
    request.shown = kShownSamples;
    request.cache = m_cache;
    m_pending = m_generation;
    // Two results: the grid's preview (when one is sent), then the full evaluation.
    m_watcher->setFuture(QtConcurrent::run(
        backgroundPool(), [request](QPromise<std::shared_ptr<PredictionResult>>& promise) {
            lowerCurrentThreadPriority();
            promise.addResult(std::make_shared<PredictionResult>(
                computePredictions(request, [&promise](PredictionResult preview) {
                    promise.addResult(std::make_shared<PredictionResult>(std::move(preview)));
                })));
        }));
}

void PredictionsTab::clearOutcome() {
    m_confusion->clear();
    m_wrongCounts->clear();
    m_grid->setPredictions({});
    m_beforeAfterLabel->clear();
}

// Why `model` cannot be evaluated on the chosen task; empty when it can (or is null).
QString PredictionsTab::mismatch(const ModelPtr& model) const {
    if (!model || !m_data) return {};
    const int classCount = static_cast<int>(classes().size());
    const QString label = model == chosenModel() ? shownLabel() : tr("the base");
    if (model->outputs() != classCount)
        return tr("%1 has %2 outputs but task %3 has %4 classes; choose the matching task.")
            .arg(label)
            .arg(model->outputs())
            .arg(formatClasses(classes()))
            .arg(classCount);
    if (model->inputs() != m_data->test.features())
        return tr("%1 takes %2 inputs but the test images have %3 pixels.")
            .arg(label)
            .arg(model->inputs())
            .arg(m_data->test.features());
    return {};
}

void PredictionsTab::onPreview(int index) {
    const std::shared_ptr<PredictionResult> preview = m_watcher->resultAt(index);
    if (!preview || !preview->preview || preview->generation != m_generation) return;
    if (m_grid->cellCount() == 0) m_grid->setSamples(preview->sampleImages, preview->sampleTrue);
    m_grid->setPredictions(preview->samplePredicted);
    emit previewed();
}

void PredictionsTab::onEvaluated() {
    const QFuture<std::shared_ptr<PredictionResult>> future = m_watcher->future();
    if (future.resultCount() == 0) return;
    const std::shared_ptr<PredictionResult> result = future.resultAt(future.resultCount() - 1);
    if (!result || result->generation != m_generation) return; // superseded
    m_pending = 0;
    if (!result->error.isEmpty()) {
        m_messageLabel->setText(result->error);
        m_messageLabel->show();
        m_accuracyLabel->setText(tr("%1 — not evaluated").arg(shownLabel()));
        return;
    }
    // Spread digits stay put across models; the other orders pick them per model.
    if (m_order != SampleOrder::Spread || m_grid->cellCount() == 0) {
        m_grid->setSamples(result->sampleImages, result->sampleTrue);
        m_rows = result->rows;
        m_confidence = result->confidence;
    }
    if (!result->evaluated) return; // digits only: no model or a mismatch
    showOutcome(*result);
    emit evaluated(m_accuracy);
}

void PredictionsTab::showOutcome(const PredictionResult& result) {
    const lora::Evaluation& evaluation = result.evaluation;
    const QString label = shownLabel();
    m_accuracy = evaluation.accuracy;
    m_correct = evaluation.correct;
    m_total = evaluation.total;
    m_grid->setPredictions(result.samplePredicted);
    m_confusion->setMatrix(evaluation.confusion, classes());
    m_accuracyLabel->setText(tr("%1 — %2 (%3/%4) on %5")
                                 .arg(label, percent(m_accuracy))
                                 .arg(m_correct)
                                 .arg(m_total)
                                 .arg(formatClasses(classes())));
    if (m_order == SampleOrder::MistakesOnly) {
        m_gridNote->setText(
            result.rows.empty()
                ? tr("No wrong predictions: %1 gets all %2 right.").arg(label).arg(m_total)
                : tr("%1 of %2 wrong predictions shown.")
                      .arg(result.rows.size())
                      .arg(m_total - m_correct));
        m_gridNote->show();
    } else if (m_order == SampleOrder::LeastConfident && !result.confidence.empty()) {
        m_gridNote->setText(tr("Top probability from %1 to %2")
                                .arg(percent(100 * result.confidence.front()),
                                     percent(100 * result.confidence.back())));
        m_gridNote->show();
    }
    if (!result.baseEvaluated) {
        m_wrongCounts->clear();
        m_beforeAfterLabel->clear();
        return;
    }
    const lora::Evaluation& before = result.baseEvaluation;
    m_baseAccuracy = before.accuracy;
    const bool isBase = chosenModel() == m_base &&
                        m_modelCombo->currentIndex() != static_cast<int>(ModelChoice::Merged);
    m_wrongCounts->setCounts(classes(), before.errorsPerClass,
                             isBase ? std::vector<int>{} : evaluation.errorsPerClass, label);
    if (isBase) {
        m_beforeAfterLabel->clear();
        return;
    }
    const float gain = m_accuracy - m_baseAccuracy;
    m_beforeAfterLabel->setText(tr("before → after: base %1 → %2 %3 (%4%5 points)")
                                    .arg(percent(m_baseAccuracy), label, percent(m_accuracy),
                                         gain >= 0 ? QStringLiteral("+") : QString())
                                    .arg(gain, 0, 'f', 2));
}
