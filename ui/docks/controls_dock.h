#pragma once
// The controls dock: experiment preset, network and task, the rank and α sliders with the
// effective scale beside them, rsLoRA, target layers, optimiser settings, the LoRA toggle
// and the run buttons (tool buttons showing the main window's actions). Edits leave as
// whole ExperimentSettings values; text that does not parse is reported and reverted.
#include "session/experiment_settings.h"

#include <QWidget>

class QAbstractButton;
class QFormLayout;
class QGroupBox;
class QAction;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

class ControlsDock : public QWidget {
    Q_OBJECT
public:
    explicit ControlsDock(QWidget* parent = nullptr);

    const ExperimentSettings& settings() const { return m_settings; }
    // The run buttons mirror these actions (text, shortcut, enabled state).
    void addActionButtons(const QList<QAction*>& actions);
    QAbstractButton* loraToggle() const;

    static constexpr int kRankSliderMax = 64; // lowered where the model budget needs it
    static constexpr int kBatchSpinMax = 8192;

    static int alphaToSlider(float alpha) { return qRound(alpha * 2.0f); } // 0.5 steps
    static float sliderToAlpha(int value) { return value / 2.0f; }

public slots:
    void setSettings(const ExperimentSettings& settings); // no settingsEdited echo
    void setLoraEnabled(bool enabled);

signals:
    void settingsEdited(const ExperimentSettings& settings);
    void presetChosen(ExperimentPreset preset);
    void loraToggled(bool enabled);
    void invalidInput(const QString& message);

private:
    void buildLayout();
    QFormLayout* buildTaskForm(); // experiment, architecture, classes, train digits
    QGroupBox* buildLoraBox();    // rank, α, scale, rsLoRA, targets, the LoRA toggle
    QGroupBox* buildTrainingBox();
    void connectEditors();
    void showSettings();
    QString scaleText(bool rslora, float scale) const;
    void updateScaleLabel();
    void updateRankWarning();             // rank above min(in, out) of a targeted layer
    void commit(ExperimentSettings next); // emits settingsEdited if it changed
    void commitText(QLineEdit* edit);

    ExperimentSettings m_settings;
    QComboBox* m_preset;
    QLineEdit *m_architecture, *m_baseClasses, *m_targetClasses, *m_trainDigits, *m_targets;
    QSlider *m_rank, *m_alpha;
    QLabel *m_rankValue, *m_alphaValue, *m_scaleLabel, *m_rankWarning;
    QCheckBox* m_rslora;
    QDoubleSpinBox* m_learningRate;
    QSpinBox *m_baseEpochs, *m_fineTuneEpochs, *m_batchSize, *m_seed;
    QAbstractButton* m_loraToggle;
    QWidget* m_buttonArea;
};
