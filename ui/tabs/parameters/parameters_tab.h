#pragma once
// Panel 4, "Parameters": trainable parameters per layer, full vs LoRA, as a bar chart with
// the percentage; bytes of weights + gradients + Adam state for full fine-tuning, LoRA and
// QLoRA; and the big-model presets (GPT-2 small, Llama-2-7B, a 4096² layer). Everything is
// computed by lora::computeBudget and answers at once when rank, α or targets change.
#include "linalg/parameter_budget.h"

#include <QWidget>
#include <string>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QComboBox;
class QLabel;
class QLogValueAxis;
class QTableWidget;
class ChartView;
class MemoryChart;

class ParametersTab : public QWidget {
    Q_OBJECT
public:
    explicit ParametersTab(QWidget* parent = nullptr);

    // What is shown, computed at once; while the panel is a hidden page of a shown window
    // (another tab is open) its chart and tables catch up when it is shown.
    const lora::ParameterBudget& budget() const { return m_budget; }
    QString modelChoice() const; // "Current architecture" or a preset name

public slots:
    // The experiment's own MLP; shown when the model choice is "Current architecture".
    void setConfiguration(const std::string& architecture, int rank, float alpha, bool rslora,
                          const std::vector<std::string>& targets);
    void selectModel(const QString& choice); // "Current architecture" | preset name

protected:
    void showEvent(QShowEvent* event) override;

private:
    void buildChart();  // bars per layer type, full vs LoRA, on a log axis
    void buildTables(); // training memory and per-layer counts
    void arrange();
    void recompute();
    void showBudget(const lora::ModelShape& shape);
    void fillChart();
    void fillMemoryTable();
    void fillLayerTable();

    lora::ParameterBudget m_budget;
    lora::ModelShape m_shape;    // what m_budget was computed for
    bool m_displayStale = false; // m_budget is newer than the chart and tables
    // The experiment's configuration; presets keep their own targets (see recompute).
    std::string m_architecture = "784-64-2";
    int m_rank = 4;
    float m_alpha = 1.0f;
    bool m_rslora = false;
    std::vector<std::string> m_targets{"fc1", "fc2"};

    QComboBox* m_modelCombo = nullptr;
    QLabel* m_descriptionLabel = nullptr;
    QLabel* m_errorLabel = nullptr;
    QLabel* m_trainableLabel = nullptr;
    QLabel* m_percentLabel = nullptr;
    QLabel* m_incrementLabel = nullptr;
    QLabel* m_reductionLabel = nullptr;
    ChartView* m_chartView = nullptr;
    QBarSet* m_fullSet = nullptr;
    QBarSet* m_loraSet = nullptr;
    QBarCategoryAxis* m_layerAxis = nullptr;
    QLogValueAxis* m_countAxis = nullptr;
    QTableWidget* m_memoryTable = nullptr;
    MemoryChart* m_memoryChart = nullptr;
    QTableWidget* m_layerTable = nullptr;
};
