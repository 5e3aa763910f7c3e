#pragma once
// "Init & scaling": LoRA variants (Kaiming-uniform A, Gaussian A, PiSSA; each under α/r or
// rsLoRA's α/√r) trained on the same task, seed and data order, their loss curves overlaid
// with a table of scale, accuracy, ‖ΔW‖ and parameters. "Why rsLoRA": a rank sweep at fixed α
// under both rules, plotting the update ‖ΔW‖ a run reaches and the scale against rank.
#include "jobs/background_task.h"
#include "session/run_types.h"
#include "tabs/variants/scale_sweep_chart.h"
#include "train/variants.h"

#include <QStringList>
#include <QWidget>
#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;
class VariantPickerSection;
class VariantRunsSection;

class VariantsTab : public QWidget {
    Q_OBJECT
public:
    using ScalePoint = lora::ScalePoint;
    static constexpr int kSweepSteps = 40; // per run: 7 ranks × 2 rules stay a few seconds

    explicit VariantsTab(QWidget* parent = nullptr);
    ~VariantsTab() override; // stops and joins a run in progress

    VariantPickerSection* picker() const { return m_picker; } // which variants Train compares
    const std::vector<lora::VariantRun>& runs() const { return m_runs; }
    const std::vector<ScalePoint>& sweepPoints() const { return m_sweep; }
    bool isRunning() const { return m_task->isRunning(); }
    QString status() const;
    std::vector<std::string> targets() const; // for Train; empty = every layer

public slots:
    void setBase(ModelPtr base) { m_base = std::move(base); }
    void setData(DataPtr data) { m_data = std::move(data); }
    // What the adapters learn, e.g. {7, 8}.
    void setTask(const std::vector<int>& classes) { m_classes = classes; }
    void setLoraSettings(int rank, float alpha, const std::vector<std::string>& targets);
    void setTrainOptions(const lora::TrainOptions& options); // maxSteps shown as "Steps"
    void setSettings(const ExperimentSettings& settings);    // all but the targets
    void train();                                            // compares the checked variants
    void rankSweep(); // ranks 1, 2, 4, …, 64 at the current α, α/r and α/√r, fc1 only
    void stop() { m_task->stop(); }
    // A saved session's results, shown as if just trained (empty lists clear the tab).
    void showResults(std::vector<lora::VariantRun> runs, std::vector<ScalePoint> sweep);

signals:
    void finished(bool stopped);
    void errorOccurred(const QString& message);

private:
    void onFinished(bool stopped);
    void onFailed(const QString& message);
    void updateRunState(bool running);
    bool ready();

    ModelPtr m_base;
    DataPtr m_data;
    std::vector<int> m_classes{7, 8};
    lora::TrainOptions m_options;
    BackgroundTask* m_task = nullptr;
    struct Pending; // what the running job fills in; a new job gets a new one
    std::shared_ptr<Pending> m_pending;
    enum class Mode { Variants, Sweep } m_mode = Mode::Variants;
    std::vector<lora::VariantRun> m_runs;
    std::vector<ScalePoint> m_sweep;

    VariantPickerSection* m_picker = nullptr;
    QSpinBox* m_rankSpin = nullptr;
    QDoubleSpinBox* m_alphaSpin = nullptr;
    QSpinBox* m_stepsSpin = nullptr;
    QComboBox* m_targetsCombo = nullptr; // data: the layer names, empty = every layer
    QPushButton* m_trainButton = nullptr;
    QPushButton* m_sweepButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QLabel* m_statusLabel = nullptr;
    VariantRunsSection* m_runsView = nullptr;
    ScaleSweepChart* m_sweepChart = nullptr;
};
