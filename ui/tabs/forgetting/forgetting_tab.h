#pragma once
// "Forgetting": from one base trained on an old task, a full fine-tune and a LoRA run learn a
// new task (seed 000: 3-vs-4 → 7-vs-8). Per epoch, both are scored on the new task and on the
// old one, LoRA with its adapter on and off, so full fine-tuning's forgetting is seen while
// LoRA-off stays on the base's dashed line. Below: is ΔW_full low-rank? Its spectrum per
// layer and the share of its energy a rank-r update could hold.
#include "jobs/background_task.h"
#include "session/run_types.h"
#include "train/forgetting.h"

#include <QWidget>
#include <memory>
#include <vector>

class QLabel;
class QPushButton;
class QSpinBox;
class ForgettingCharts;
class UpdateSpectrumSection;

class ForgettingTab : public QWidget {
    Q_OBJECT
public:
    explicit ForgettingTab(QWidget* parent = nullptr);
    ~ForgettingTab() override; // stops and joins a run in progress

    // The last finished run (null before the first, and while a run is in progress).
    std::shared_ptr<const lora::ForgettingResult> result() const { return m_result; }
    bool isRunning() const { return m_task->isRunning(); }
    int epochs() const { return m_options.epochs; }
    QString readout() const; // the low-rank read-out line for the chosen layer

public slots:
    void setBase(ModelPtr base) { m_base = std::move(base); } // trained on the old classes
    void setData(DataPtr data) { m_data = std::move(data); }
    void setTasks(const std::vector<int>& oldClasses, const std::vector<int>& newClasses);
    void setLoraSettings(const lora::LoraConfig& config) { m_lora = config; }
    void setTrainOptions(const lora::TrainOptions& options); // epochs shown in the spin box
    void setSettings(const ExperimentSettings& settings);    // all of the above but models/data
    void run();
    void stop() { m_task->stop(); }
    // A saved session's result, drawn as if it had just finished (null clears the panel).
    void showResult(std::shared_ptr<const lora::ForgettingResult> result);

signals:
    void finished(bool stopped);
    void errorOccurred(const QString& message);

private:
    void addPoint(lora::ForgettingRun run, const lora::ForgettingPoint& point);
    void onFinished(bool stopped);
    void onFailed(const QString& message);
    void updateRunState(bool running);
    void redrawAccuracy();
    void present(bool stopped); // draws m_result and says what it found
    static QString kIdleText();

    ModelPtr m_base;
    DataPtr m_data;
    std::vector<int> m_oldClasses{3, 4}, m_newClasses{7, 8};
    lora::LoraConfig m_lora{lora::LoraSpec{4, 1.0f}};
    lora::TrainOptions m_options;

    BackgroundTask* m_task = nullptr;
    std::shared_ptr<lora::ForgettingResult> m_pending; // filled by the running job
    std::shared_ptr<const lora::ForgettingResult> m_result;
    std::vector<lora::ForgettingPoint> m_fullPoints, m_loraPoints; // epoch 0 = the base

    QPushButton* m_runButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QSpinBox* m_epochsSpin = nullptr;
    QLabel* m_statusLabel = nullptr;
    ForgettingCharts* m_charts = nullptr;
    UpdateSpectrumSection* m_updateView = nullptr;
};
