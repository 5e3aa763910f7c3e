#pragma once
// The LoRA paper's §7 analyses on two adapters of fc1 trained at ranks r1 and r2 (8 and 64 by
// default) from the same base and seed: the subspace similarity φ(i, j) of their A matrices
// as a heatmap, and for each adapter the amplification table (how much ΔW amplifies
// directions W itself does not emphasise, next to W's own top-r and a random baseline).
#include "jobs/background_task.h"
#include "linalg/adapter_analysis.h"
#include "nn/adapter_weights.h"
#include "session/run_types.h"

#include <QWidget>
#include <array>
#include <memory>

class QLabel;
class QPushButton;
class QSpinBox;
class QTableWidget;
class SimilarityGridWidget;

class SubspaceTab : public QWidget {
    Q_OBJECT
public:
    explicit SubspaceTab(QWidget* parent = nullptr);
    ~SubspaceTab() override; // stops and joins a run in progress

    const Eigen::MatrixXd& phi() const; // [r1, r2]; empty before the first analysis
    const std::array<lora::Amplification, 2>& amplifications() const { return m_amp; }
    bool isRunning() const { return m_task->isRunning(); }
    QString status() const;

public slots:
    void setBase(ModelPtr base);
    void setData(DataPtr data);
    void setTask(const std::vector<int>& classes); // what the adapters learn, e.g. {7, 8}
    void setAlpha(float alpha);
    void setTrainOptions(const lora::TrainOptions& options); // maxSteps ≤ 0 → 300 steps
    void setSettings(const ExperimentSettings& settings);
    void setRanks(int r1, int r2);
    void train(); // two Kaiming LoRA runs on fc1 (same seed), then the analyses
    // Analyses two given adapters of the base's fc1 (e.g. one trained elsewhere, or the same
    // one twice: φ(i, i) = 1), without training.
    void analyse(const lora::AdapterWeights& first, const lora::AdapterWeights& second);
    void stop();
    // A saved session's result, shown as if just analysed (an empty phi clears the panel).
    void showResult(const Eigen::MatrixXd& phi, const std::array<lora::Amplification, 2>& amp);

signals:
    void finished(bool stopped);
    void errorOccurred(const QString& message);

private:
    struct Analysis {
        Eigen::MatrixXd phi;
        std::array<lora::Amplification, 2> amp;
        int r1 = 0, r2 = 0;
    };
    void onFinished(bool stopped);
    void onFailed(const QString& message);
    void updateRunState(bool running);
    void showAnalysis(const Analysis& analysis);

    ModelPtr m_base;
    DataPtr m_data;
    std::vector<int> m_classes{7, 8};
    float m_alpha = 8.0f;
    lora::TrainOptions m_options;
    BackgroundTask* m_task = nullptr;
    std::shared_ptr<Analysis> m_pending; // filled by the running job
    std::array<lora::Amplification, 2> m_amp{};

    QSpinBox* m_rank1Spin = nullptr;
    QSpinBox* m_rank2Spin = nullptr;
    QPushButton* m_trainButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QLabel* m_statusLabel = nullptr;
    SimilarityGridWidget* m_grid = nullptr;
    QTableWidget* m_table = nullptr;
};
