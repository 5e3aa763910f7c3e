#include "docks/controls_dock.h"

#include "data/classes.h"
#include "nn/architecture.h"
#include "nn/model_budget.h"
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

// A new output count would otherwise leave no valid way to edit the class lists one field at
// a time; the first k digits are the natural default (all ten for a 10-way head).
void fitClassesToOutputs(ExperimentSettings& s) {
    const std::vector<int> widths = lora::parseArchitecture(s.architecture);
    const std::size_t outputs = static_cast<std::size_t>(widths.back());
    if (outputs > 10) return; // validate() names this problem
    std::vector<int> first(outputs);
    for (std::size_t i = 0; i < outputs; ++i) first[i] = static_cast<int>(i);
    if (s.baseClasses.size() != outputs) s.baseClasses = first;
    if (s.targetClasses.size() != outputs) {
        s.targetClasses = first;
        s.trainDigits.clear();
    }
}

// The model budget's limits for `s` (nn/model_budget.h), so that the rank slider and the
// batch spin box only offer sizes that validate() accepts.
std::pair<int, int> budgetLimits(const ExperimentSettings& s, int maxRank, int maxBatch) {
    try {
        const std::vector<int> widths = lora::parseArchitecture(s.architecture);
        std::vector<bool> targeted(widths.size() - 1, s.targets.empty());
        for (const std::string& t : s.targets)
            if (const int n = lora::layerNumber(t); n >= 1 && n < static_cast<int>(widths.size()))
                targeted[n - 1] = true;
        maxRank = std::min(maxRank, std::max(1, lora::maxRankFor(widths, targeted)));
        maxBatch = static_cast<int>(
            std::min<long long>(maxBatch, std::max(1LL, lora::maxBatchFor(widths))));
    } catch (const lora::InputError&) {
        // validate() names what is wrong with the architecture when it is committed.
    }
    return {maxRank, maxBatch};
}

} // namespace

ControlsDock::ControlsDock(QWidget* parent) : QWidget(parent) {
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
    auto* lora = new QGroupBox(tr("LoRA"));
    auto* grid = new QGridLayout(lora);
    m_rank = new QSlider(Qt::Horizontal);
    m_rank->setObjectName("rankSlider");
    m_rank->setRange(1, kRankSliderMax);
    m_rank->setToolTip(tr("Rank r: how many independent directions the update ΔW = BA may "
                          "use; LoRA trains r·(in + out) numbers per layer."));
    m_alpha = new QSlider(Qt::Horizontal);
    m_alpha->setObjectName("alphaSlider");
    m_alpha->setRange(alphaToSlider(0.5f), alphaToSlider(64.0f));
    m_alpha->setToolTip(tr("Alpha α: the update is scaled by α/r (α/√r with rsLoRA), so α "
                           "sets its strength independently of the rank."));
    m_rankValue = new QLabel;
    m_alphaValue = new QLabel;
    m_scaleLabel = new QLabel;
    m_scaleLabel->setObjectName("scaleLabel");
    // Fixed sizes, room for the widest values: a fixed-size label's new text invalidates no
    // layout, so dragging a slider does not lay out (and repaint) the whole window per tick.
    m_rankValue->setText(QStringLiteral("64")); // showSettings() puts the real value in
    const int lineHeight = m_rankValue->sizeHint().height();
    m_rankValue->setFixedSize(48, lineHeight);
    m_alphaValue->setFixedSize(48, lineHeight);
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
    connect(m_rank, &QSlider::valueChanged, this, [this](int r) {
        ExperimentSettings next = m_settings;
        next.rank = r;
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
    const auto [maxRank, maxBatch] = budgetLimits(m_settings, kRankSliderMax, kBatchSpinMax);
    m_rank->setMaximum(maxRank);
    m_batchSize->setMaximum(maxBatch);
    m_rank->setValue(m_settings.rank);
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
    m_alphaValue->setText(QString::number(m_settings.alpha, 'g', 3));
    m_scaleLabel->setText(scaleText(m_settings.rslora, m_settings.scale()));
    updateRankWarning();
}

void ControlsDock::updateRankWarning() {
    std::vector<lora::OversizedRank> oversized;
    try {
        oversized = lora::oversizedRanks(lora::parseArchitecture(m_settings.architecture),
                                         m_settings.targets, m_settings.rank);
    } catch (const lora::InputError&) {
        // An architecture being typed is refused when committed; nothing to warn about yet.
    }
    QStringList layers, details;
    for (const auto& o : oversized) {
        layers << tr("%1 (%2)").arg(QString::fromStdString(o.layer)).arg(o.limit);
        details << QString::fromStdString(lora::describe(o, m_settings.rank));
    }
    m_rankWarning->setText(
        layers.isEmpty()
            ? QString()
            : tr("r = %1 > min(in, out) of %2: more parameters, no more expressiveness")
                  .arg(m_settings.rank)
                  .arg(layers.join(", ")));
    m_rankWarning->setToolTip(details.join('\n'));
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
