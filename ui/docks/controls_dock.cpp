#include "docks/controls_dock.h"

#include "docks/live_adapter_box.h"
#include "docks/settings_limits.h"
#include "widgets/log_steps.h"

#include "data/classes.h"
#include "util/error.h"
#include "util/list_parse.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <algorithm>
#include <cmath>
#include <utility>

namespace {

QString joinNames(const std::vector<std::string>& names) {
    QStringList list;
    for (const std::string& n : names) list << QString::fromStdString(n);
    return list.join(',');
}

// Layer names separated by commas or spaces; an empty field targets every layer.
std::vector<std::string> splitNames(const QString& text) {
    const std::string s = text.toStdString();
    if (s.find_first_not_of(" ,;\t") == std::string::npos) return {};
    return lora::parseNameList(s, "targets", {lora::ListSeparators::Loose});
}

QString classesText(const std::vector<int>& classes) {
    return classes.size() == 10 ? QStringLiteral("all")
                                : QString::fromStdString(lora::formatClasses(classes));
}

} // namespace

ControlsDock::ControlsDock(QWidget* parent)
    : QWidget(parent), m_alphaSteps(logsteps::alphas()),
      m_rankSteps(logsteps::ranks(kRankSliderMax)) {
    buildLayout();
    showSettings();
}

void ControlsDock::buildLayout() {
    m_buttonArea = new QWidget;
    m_buttonArea->setLayout(new QGridLayout);
    m_buttonArea->layout()->setContentsMargins(0, 0, 0, 0);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(buildTaskForm());
    layout->addWidget(buildLoraBox());
    m_liveSlot = new QVBoxLayout; // the live box joins here once the adapters are known
    m_liveSlot->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(m_liveSlot);
    layout->addWidget(buildTrainingBox());
    layout->addWidget(m_buttonArea);
    layout->addStretch(1);
    connectEditors();
}

QFormLayout* ControlsDock::buildTaskForm() {
    auto* form = new QFormLayout;
    m_preset = new QComboBox;
    m_preset->setObjectName("presetCombo");
    for (ExperimentPreset p : ExperimentSettings::kPresets)
        m_preset->addItem(presetName(p), static_cast<int>(p));
    form->addRow(tr("Experiment"), m_preset);

    auto lineEdit = [this](const char* name, const QString& tip) {
        auto* edit = new QLineEdit;
        edit->setObjectName(name);
        edit->setToolTip(tip);
        connect(edit, &QLineEdit::editingFinished, this, [this, edit] { commitText(edit); });
        return edit;
    };
    m_architecture = lineEdit("architectureEdit", tr("Layer widths joined by '-', e.g. 784-64-2"));
    m_baseClasses = lineEdit("baseClassesEdit", tr("Digits the base learns, e.g. 3,4 or all"));
    m_targetClasses =
        lineEdit("targetClassesEdit", tr("Digits the fine-tuned model answers, e.g. 7,8"));
    m_trainDigits = lineEdit("trainDigitsEdit",
                             tr("Fine-tune only on these digits (seed 001: 9); empty = all"));
    form->addRow(tr("Architecture"), m_architecture);
    form->addRow(tr("Base classes"), m_baseClasses);
    form->addRow(tr("Target classes"), m_targetClasses);
    form->addRow(tr("Train on digits"), m_trainDigits);
    return form;
}

QGroupBox* ControlsDock::buildLoraBox() {
    auto* lora = new QGroupBox(tr("LoRA — next run"));
    auto* grid = new QGridLayout(lora);
    m_rank = new QSlider(Qt::Horizontal);
    m_rank->setObjectName("rankSlider");
    m_rank->setRange(0, static_cast<int>(m_rankSteps.size()) - 1);
    m_rank->setToolTip(tr("Rank r of the next LoRA run: how many independent directions the "
                          "update ΔW = BA may use; LoRA trains r·(in + out) numbers per layer. "
                          "Log-spaced, up to min(in, out) of the targeted layers."));
    m_alpha = new QSlider(Qt::Horizontal);
    m_alpha->setObjectName("alphaSlider");
    m_alpha->setRange(0, static_cast<int>(m_alphaSteps.size()) - 1);
    m_alpha->setToolTip(tr("Alpha α of the next LoRA run: the update is scaled by α/r (α/√r "
                           "with rsLoRA), so α sets its strength independently of the rank. "
                           "Log-spaced, %1…%2.")
                            .arg(logsteps::kMinAlpha)
                            .arg(logsteps::kMaxAlpha));
    m_rankValue = new QLabel;
    m_alphaValue = new QLabel;
    m_scaleLabel = new QLabel;
    m_scaleLabel->setObjectName("scaleLabel");
    // Fixed sizes, room for the widest values: a fixed-size label's new text invalidates no
    // layout, so dragging a slider does not lay out (and repaint) the whole window per tick.
    m_rankValue->setText(QStringLiteral("4096")); // showSettings() puts the real value in
    const int lineHeight = m_rankValue->sizeHint().height();
    m_rankValue->setFixedSize(48, lineHeight);
    m_alphaValue->setFixedSize(48, lineHeight);
    m_nextRun = new QLabel;
    m_nextRun->setObjectName("nextRunLabel");
    m_nextRun->setFixedHeight(lineHeight);
    QFont bold = m_nextRun->font();
    bold.setBold(true);
    m_nextRun->setFont(bold);
    m_scaleLabel->setFixedSize(
        m_scaleLabel->fontMetrics().horizontalAdvance(scaleText(true, 0.007812f)) + 8, lineHeight);
    // Two lines are kept for it whether or not it says anything, for the same reason.
    m_rankWarning = new QLabel;
    m_rankWarning->setObjectName("rankWarning");
    m_rankWarning->setWordWrap(true);
    m_rankWarning->setStyleSheet(QStringLiteral("color: #b35900;"));
    m_rankWarning->setFixedHeight(2 * lineHeight);
    m_rslora = new QCheckBox(tr("rsLoRA (α/√r)"));
    m_targets = new QLineEdit;
    m_targets->setObjectName("targetsEdit");
    m_targets->setToolTip(tr("Layers that get adapters, e.g. fc1,fc2; empty = all"));
    connect(m_targets, &QLineEdit::editingFinished, this, [this] { commitText(m_targets); });
    m_rslora->setObjectName("rsloraCheck");
    grid->addWidget(m_nextRun, 6, 0, 1, 3);
    grid->addWidget(new QLabel(tr("Rank r")), 0, 0);
    grid->addWidget(m_rank, 0, 1);
    grid->addWidget(m_rankValue, 0, 2);
    grid->addWidget(new QLabel(tr("Alpha α")), 1, 0);
    grid->addWidget(m_alpha, 1, 1);
    grid->addWidget(m_alphaValue, 1, 2);
    grid->addWidget(m_scaleLabel, 2, 0, 1, 2);
    grid->addWidget(m_rslora, 2, 2);
    grid->addWidget(m_rankWarning, 3, 0, 1, 3);
    grid->addWidget(new QLabel(tr("Targets")), 4, 0);
    grid->addWidget(m_targets, 4, 1, 1, 2);
    auto* toggle = new QPushButton(tr("LoRA on"));
    toggle->setObjectName("loraToggle");
    toggle->setCheckable(true);
    toggle->setChecked(true);
    toggle->setToolTip(tr("Switch the adapter on and off: with it off the model is exactly "
                          "the frozen base."));
    m_loraToggle = toggle;
    grid->addWidget(toggle, 5, 0, 1, 3);
    return lora;
}

QGroupBox* ControlsDock::buildTrainingBox() {
    auto* training = new QFormLayout;
    m_learningRate = new QDoubleSpinBox;
    m_learningRate->setObjectName("lrSpin");
    m_learningRate->setDecimals(5);
    m_learningRate->setRange(0.00001, 1.0);
    m_learningRate->setSingleStep(0.001);
    auto spin = [](const char* name, int lo, int hi) {
        auto* s = new QSpinBox;
        s->setObjectName(name);
        s->setRange(lo, hi);
        return s;
    };
    m_baseEpochs = spin("baseEpochsSpin", 1, 1000);
    m_fineTuneEpochs = spin("fineTuneEpochsSpin", 1, 1000);
    m_batchSize = spin("batchSpin", 1, kBatchSpinMax);
    m_seed = spin("seedSpin", 0, 1000000);
    training->addRow(tr("Learning rate"), m_learningRate);
    training->addRow(tr("Base epochs"), m_baseEpochs);
    training->addRow(tr("Fine-tune epochs"), m_fineTuneEpochs);
    training->addRow(tr("Batch size"), m_batchSize);
    training->addRow(tr("Seed"), m_seed);
    auto* trainingBox = new QGroupBox(tr("Training"));
    trainingBox->setLayout(training);
    return trainingBox;
}

void ControlsDock::connectEditors() {
    connect(m_preset, &QComboBox::activated, this, [this](int index) {
        emit presetChosen(static_cast<ExperimentPreset>(m_preset->itemData(index).toInt()));
    });
    connect(m_rank, &QSlider::valueChanged, this, [this](int v) {
        ExperimentSettings next = m_settings;
        next.rank = sliderToRank(v);
        commit(next);
    });
    connect(m_alpha, &QSlider::valueChanged, this, [this](int v) {
        ExperimentSettings next = m_settings;
        next.alpha = sliderToAlpha(v);
        commit(next);
    });
    connect(m_rslora, &QCheckBox::toggled, this, [this](bool on) {
        ExperimentSettings next = m_settings;
        next.rslora = on;
        commit(next);
    });
    connect(m_learningRate, &QDoubleSpinBox::valueChanged, this, [this](double lr) {
        ExperimentSettings next = m_settings;
        next.learningRate = static_cast<float>(lr);
        commit(next);
    });
    const std::pair<QSpinBox*, int ExperimentSettings::*> ints[] = {
        {m_baseEpochs, &ExperimentSettings::baseEpochs},
        {m_fineTuneEpochs, &ExperimentSettings::fineTuneEpochs},
        {m_batchSize, &ExperimentSettings::batchSize}};
    for (const auto& [box, member] : ints)
        connect(box, &QSpinBox::valueChanged, this, [this, member = member](int v) {
            ExperimentSettings next = m_settings;
            next.*member = v;
            commit(next);
        });
    connect(m_seed, &QSpinBox::valueChanged, this, [this](int v) {
        ExperimentSettings next = m_settings;
        next.seed = static_cast<std::uint64_t>(v);
        commit(next);
    });
    connect(m_loraToggle, &QAbstractButton::toggled, this, [this](bool on) {
        m_loraToggle->setText(on ? tr("LoRA on") : tr("LoRA off"));
        emit loraToggled(on);
    });
}

void ControlsDock::addActionButtons(const QList<QAction*>& actions) {
    auto* grid = static_cast<QGridLayout*>(m_buttonArea->layout());
    int i = 0;
    for (QAction* action : actions) {
        auto* button = new QToolButton;
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextOnly);
        button->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        grid->addWidget(button, i / 2, i % 2);
        ++i;
    }
}

int ControlsDock::alphaToSlider(float alpha) {
    return logsteps::nearest(logsteps::alphas(), alpha);
}

float ControlsDock::sliderToAlpha(int value) {
    const std::vector<float> steps = logsteps::alphas();
    return steps[static_cast<std::size_t>(std::clamp(value, 0, int(steps.size()) - 1))];
}

int ControlsDock::rankToSlider(int rank) const {
    return logsteps::nearest(m_rankSteps, rank);
}

int ControlsDock::sliderToRank(int value) const {
    return m_rankSteps[static_cast<std::size_t>(std::clamp(value, 0, int(m_rankSteps.size()) - 1))];
}

void ControlsDock::setAdapters(AdapterManager* adapters) {
    if (m_live) return;
    m_live = new LiveAdapterBox(adapters);
    m_liveSlot->addWidget(m_live);
}

void ControlsDock::setRunning(bool running) {
    // A run takes its settings when it starts; later edits would be silently ignored by it.
    m_running = running;
    for (QWidget* w : std::initializer_list<QWidget*>{m_rank, m_alpha, m_rslora, m_targets})
        w->setEnabled(!running);
    updateScaleLabel();
}

QAbstractButton* ControlsDock::loraToggle() const {
    return m_loraToggle;
}

void ControlsDock::setSettings(const ExperimentSettings& settings) {
    m_settings = settings;
    showSettings();
}

void ControlsDock::setLoraEnabled(bool enabled) {
    m_loraToggle->setChecked(enabled);
}

// Shows m_settings in every control without echoing edits back out.
void ControlsDock::showSettings() {
    const QSignalBlocker blockers[] = {QSignalBlocker(m_preset),
                                       QSignalBlocker(m_rank),
                                       QSignalBlocker(m_alpha),
                                       QSignalBlocker(m_rslora),
                                       QSignalBlocker(m_learningRate),
                                       QSignalBlocker(m_baseEpochs),
                                       QSignalBlocker(m_fineTuneEpochs),
                                       QSignalBlocker(m_batchSize),
                                       QSignalBlocker(m_seed)};
    m_preset->setCurrentIndex(m_preset->findData(static_cast<int>(m_settings.preset)));
    m_architecture->setText(QString::fromStdString(m_settings.architecture));
    m_baseClasses->setText(classesText(m_settings.baseClasses));
    m_targetClasses->setText(classesText(m_settings.targetClasses));
    m_trainDigits->setText(QString::fromStdString(lora::formatClasses(m_settings.trainDigits)));
    m_targets->setText(joinNames(m_settings.targets));
    const SettingsLimits limits = limitsFor(m_settings, kRankSliderMax, kBatchSpinMax);
    // A legal rank above the useful one (seed 000's r = 4 on a 64→2 layer) stays reachable.
    m_rankSteps = logsteps::ranks(std::max(limits.maxRank, m_settings.rank));
    m_rank->setMaximum(static_cast<int>(m_rankSteps.size()) - 1);
    m_batchSize->setMaximum(limits.maxBatch);
    m_rank->setValue(rankToSlider(m_settings.rank));
    m_alpha->setValue(alphaToSlider(m_settings.alpha));
    m_rslora->setChecked(m_settings.rslora);
    m_learningRate->setValue(m_settings.learningRate);
    m_baseEpochs->setValue(m_settings.baseEpochs);
    m_fineTuneEpochs->setValue(m_settings.fineTuneEpochs);
    m_batchSize->setValue(m_settings.batchSize);
    m_seed->setValue(static_cast<int>(m_settings.seed));
    updateScaleLabel();
}

QString ControlsDock::scaleText(bool rslora, float scale) const {
    const QString formula = rslora ? QStringLiteral("α/√r") : QStringLiteral("α/r");
    return tr("scale s = %1 = %2").arg(formula).arg(scale, 0, 'g', 4);
}

void ControlsDock::updateScaleLabel() {
    m_rankValue->setText(QString::number(m_settings.rank));
    m_alphaValue->setText(QString::number(m_settings.alpha, 'g', 4));
    m_scaleLabel->setText(scaleText(m_settings.rslora, m_settings.scale()));
    m_nextRun->setText(tr("next run: r %1, α %2%3")
                           .arg(m_settings.rank)
                           .arg(m_settings.alpha, 0, 'g', 4)
                           .arg(m_running ? tr(" (fixed while training)") : QString()));
    updateRankWarning();
}

void ControlsDock::updateRankWarning() {
    const auto [text, details] = rankWarning(m_settings);
    m_rankWarning->setText(text);
    m_rankWarning->setToolTip(details);
}

void ControlsDock::commit(ExperimentSettings next) {
    if (next == m_settings) return;
    try {
        next.validate(); // the budget, whichever control changed (the text fields did already)
    } catch (const lora::InputError& e) {
        showSettings(); // the control goes back; the previous settings stay in force
        emit invalidInput(QString::fromStdString(e.what()));
        return;
    }
    m_settings = next;
    updateScaleLabel();
    emit settingsEdited(m_settings);
}

void ControlsDock::commitText(QLineEdit* edit) {
    ExperimentSettings next = m_settings;
    const std::string text = edit->text().trimmed().toStdString();
    try {
        if (edit == m_architecture) {
            next.architecture = text;
            fitClassesToOutputs(next);
        } else if (edit == m_baseClasses) {
            next.baseClasses = lora::parseClasses(text);
        } else if (edit == m_targetClasses) {
            next.targetClasses = lora::parseClasses(text);
        } else if (edit == m_trainDigits) {
            next.trainDigits = text.empty() ? std::vector<int>{} : lora::parseClasses(text);
        } else if (edit == m_targets) {
            next.targets = splitNames(edit->text());
        }
        next.validate();
    } catch (const lora::InputError& e) {
        showSettings(); // revert the field: the previous settings stay in force
        emit invalidInput(QString::fromStdString(e.what()));
        return;
    }
    commit(next);
    showSettings(); // canonical spelling, e.g. "03, 4" -> "3,4"
}
