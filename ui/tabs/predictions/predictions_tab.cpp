#include "tabs/predictions/predictions_tab.h"

#include "data/dataset.h"
#include "jobs/background_pool.h"
#include "train/evaluate.h"
#include "widgets/confusion_widget.h"
#include "widgets/digit_grid_widget.h"

#include <QComboBox>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QStringList>
#include <QVBoxLayout>

namespace {

constexpr int kShownSamples = 32; // 4 rows of DigitGridWidget::kColumns

QString formatClasses(const std::vector<int>& classes) {
    if (classes == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) return QObject::tr("all digits");
    QStringList digits;
    for (int c : classes) digits << QString::number(c);
    return digits.join(QStringLiteral(", "));
}

} // namespace

// Everything one evaluation produces, computed off the GUI thread.
struct PredictionsTab::Result {
    quint64 generation = 0;
    lora::Evaluation evaluation;
    lora::Matrix sampleImages;
    std::vector<int> sampleTrue, samplePredicted; // real digits
};

PredictionsTab::PredictionsTab(QWidget* parent) : QWidget(parent) {
    m_taskCombo = new QComboBox(this);
    m_taskCombo->setObjectName("taskCombo");
    m_taskCombo->addItems({tr("Fine-tuning task"), tr("Base task")});
    m_taskCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_accuracyLabel = new QLabel(tr("No model yet"), this);
    m_accuracyLabel->setObjectName("accuracyLabel");
    QFont headerFont = m_accuracyLabel->font();
    headerFont.setPointSizeF(headerFont.pointSizeF() * 1.25);
    headerFont.setBold(true);
    m_accuracyLabel->setFont(headerFont);
    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName("messageLabel");
    m_messageLabel->setStyleSheet("color: #b22222;");
    m_messageLabel->setWordWrap(true);
    m_messageLabel->hide();

    m_grid = new DigitGridWidget(this);
    m_confusion = new ConfusionWidget(this);
    auto* gridCaption = new QLabel(tr("Test digits: predicted / true (wrong in red)"), this);
    auto* confusionCaption = new QLabel(tr("Confusion matrix, whole test split"), this);

    auto* header = new QHBoxLayout;
    header->addWidget(new QLabel(tr("Evaluate on:"), this));
    header->addWidget(m_taskCombo);
    header->addSpacing(16);
    header->addWidget(m_accuracyLabel, 1);
    auto* gridColumn = new QVBoxLayout;
    gridColumn->addWidget(gridCaption);
    gridColumn->addWidget(m_grid, 1);
    auto* confusionColumn = new QVBoxLayout;
    confusionColumn->addWidget(confusionCaption);
    confusionColumn->addWidget(m_confusion, 1);
    auto* body = new QHBoxLayout;
    body->addLayout(gridColumn, 3);
    body->addLayout(confusionColumn, 2);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(header);
    layout->addWidget(m_messageLabel);
    layout->addLayout(body, 1);

    m_watcher = new QFutureWatcher<std::shared_ptr<Result>>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &PredictionsTab::onEvaluated);
    connect(m_taskCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_showBase = index == 1;
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
bool PredictionsTab::isEvaluating() const {
    return m_pending != 0;
}

const std::vector<int>& PredictionsTab::classes() const {
    return m_showBase ? m_baseClasses : m_targetClasses;
}

void PredictionsTab::setModel(ModelPtr model, const QString& label) {
    m_model = std::move(model);
    m_label = label;
    evaluate();
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

// The task changed: new sample digits for the grid, then a fresh evaluation.
void PredictionsTab::reload() {
    m_grid->clear();
    evaluate();
}

void PredictionsTab::evaluate() {
    ++m_generation; // any evaluation still running is now stale
    m_pending = 0;
    m_confusion->clear();
    m_grid->setPredictions({});
    m_messageLabel->hide();
    if (!m_data || classes().empty()) {
        m_accuracyLabel->setText(tr("No data yet"));
        return;
    }
    const QString task = formatClasses(classes());
    const QString problem = mismatch();
    ModelPtr model = problem.isEmpty() ? m_model : nullptr;
    if (!m_model) {
        m_accuracyLabel->setText(
            tr("No model yet — train a base to see predictions on %1").arg(task));
    } else if (!problem.isEmpty()) {
        m_messageLabel->setText(problem);
        m_messageLabel->show();
        m_accuracyLabel->setText(tr("%1 — not evaluated on %2").arg(m_label, task));
    } else {
        m_accuracyLabel->setText(tr("%1 — evaluating on %2…").arg(m_label, task));
    }
    if (!model) {
        m_accuracy = 0;
        m_correct = m_total = 0;
        if (m_grid->cellCount() > 0) return;
        // Otherwise still run a pass without a model: the grid's digits need the filtering.
    }

    m_pending = m_generation;
    m_watcher->setFuture(
        runInBackground([generation = m_generation, model, data = m_data, classes = classes()] {
            auto result = std::make_shared<Result>();
            result->generation = generation;
            const lora::Dataset split = lora::filterClassesRemap(data->test, classes);
            // Evenly spaced over the split, so both classes appear and the choice depends
            // only on the data: toggling LoRA changes labels, never which digits are shown.
            const int n = split.size(), shown = std::min(kShownSamples, n);
            std::vector<int> indices(shown);
            for (int k = 0; k < shown; ++k)
                indices[k] = static_cast<int>(static_cast<long>(k) * n / shown);
            result->sampleImages.resize(shown, split.features());
            for (int k = 0; k < shown; ++k) {
                result->sampleImages.row(k) = split.images.row(indices[k]);
                result->sampleTrue.push_back(classes[split.labels[indices[k]]]);
            }
            if (model) {
                lora::Mlp copy = *model; // forward() writes workspaces; the snapshot is const
                result->evaluation = lora::evaluate(copy, split);
                for (int k = 0; k < shown; ++k)
                    result->samplePredicted.push_back(
                        classes[result->evaluation.predictions[indices[k]]]);
            }
            return result;
        }));
}

// Why the current model cannot be evaluated on the chosen task; empty when it can.
QString PredictionsTab::mismatch() const {
    if (!m_model || !m_data) return {};
    const int classCount = static_cast<int>(classes().size());
    if (m_model->outputs() != classCount)
        return tr("%1 has %2 outputs but task %3 has %4 classes; choose the matching task.")
            .arg(m_label)
            .arg(m_model->outputs())
            .arg(formatClasses(classes()))
            .arg(classCount);
    if (m_model->inputs() != m_data->test.features())
        return tr("%1 takes %2 inputs but the test images have %3 pixels.")
            .arg(m_label)
            .arg(m_model->inputs())
            .arg(m_data->test.features());
    return {};
}

void PredictionsTab::onEvaluated() {
    const std::shared_ptr<Result> result = m_watcher->result();
    if (!result || result->generation != m_generation) return; // superseded
    m_pending = 0;
    if (m_grid->cellCount() == 0) m_grid->setSamples(result->sampleImages, result->sampleTrue);
    if (result->samplePredicted.empty()) return; // digits only: no model or a mismatch
    const lora::Evaluation& evaluation = result->evaluation;
    m_accuracy = evaluation.accuracy;
    m_correct = evaluation.correct;
    m_total = evaluation.total;
    m_grid->setPredictions(result->samplePredicted);
    m_confusion->setMatrix(evaluation.confusion, classes());
    m_accuracyLabel->setText(tr("%1 — %2 % (%3/%4) on %5")
                                 .arg(m_label)
                                 .arg(m_accuracy, 0, 'f', 2)
                                 .arg(m_correct)
                                 .arg(m_total)
                                 .arg(formatClasses(classes())));
    emit evaluated(m_accuracy);
}
