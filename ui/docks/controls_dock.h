#pragma once
// The controls dock: experiment preset, network and task, the next run's rank and α sliders
// (log-spaced) with the effective scale and a "next run: r …, α …" line, rsLoRA, target
// layers, optimiser settings, the LoRA toggle, the live sliders of the active adapter
// (LiveAdapterBox) and the run buttons (tool buttons showing the main window's actions).
// Edits leave as whole ExperimentSettings values; text that does not parse is reported and
// reverted. While a run is in progress the next run's LoRA controls are disabled.
#include "session/experiment_settings.h"

#include <QWidget>
#include <vector>

class AdapterManager;
class LiveAdapterBox;
class QAbstractButton;
class QVBoxLayout;
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

    // The next run's rank reaches min(in, out) of the widest targeted layer, lowered where
    // the model budget needs it.
    static constexpr int kRankSliderMax = 4096;
    static constexpr int kBatchSpinMax = 8192;

    // The sliders move over log-spaced notches (docks/log_steps.h): these map values to
    // notches (the nearest) and back.
    static int alphaToSlider(float alpha);
    static float sliderToAlpha(int value);
    int rankToSlider(int rank) const;
    int sliderToRank(int value) const;

    // Adds the live sliders of `adapters`' active adapter (once).
    void setAdapters(AdapterManager* adapters);
    LiveAdapterBox* liveBox() const { return m_live; }

public slots:
    void setSettings(const ExperimentSettings& settings); // no settingsEdited echo
    void setLoraEnabled(bool enabled);
    void setRunning(bool running);

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
    QLabel *m_rankValue, *m_alphaValue, *m_scaleLabel, *m_rankWarning, *m_nextRun;
    std::vector<float> m_alphaSteps;
    std::vector<int> m_rankSteps;
    bool m_running = false;
    QVBoxLayout* m_liveSlot;
    LiveAdapterBox* m_live = nullptr;
    QCheckBox* m_rslora;
    QDoubleSpinBox* m_learningRate;
    QSpinBox *m_baseEpochs, *m_fineTuneEpochs, *m_batchSize, *m_seed;
    QAbstractButton* m_loraToggle;
    QWidget* m_buttonArea;
};
