#pragma once
// The forgetting run's two accuracy charts on one scale: the new task (full fine-tune, LoRA)
// and the old task (full fine-tune, LoRA on, LoRA off), each over a wide dashed base line —
// LoRA-off sits exactly on it, full fine-tuning falls away from it.
#include "train/forgetting.h"

#include <QWidget>
#include <vector>

class QLineSeries;
class QValueAxis;
class ChartView;

class ForgettingCharts : public QWidget {
    Q_OBJECT
public:
    explicit ForgettingCharts(QWidget* parent = nullptr);

    void setTasks(const std::vector<int>& oldClasses, const std::vector<int>& newClasses);
    // Points per epoch (epoch 0 = the base) of each run; base lines span 0…epochs once the
    // base point is there.
    void setPoints(const std::vector<lora::ForgettingPoint>& full,
                   const std::vector<lora::ForgettingPoint>& lora, int epochs);

private:
    ChartView* m_newChart = nullptr; // new task: full, LoRA, base
    ChartView* m_oldChart = nullptr; // old task: full, LoRA on, LoRA off, base
    QValueAxis* m_epochAxes[2] = {};
    QValueAxis* m_accuracyAxes[2] = {};
    enum { FullNew, LoraNew, BaseNew, FullOld, LoraOnOld, LoraOffOld, BaseOld, SeriesCount };
    QLineSeries* m_series[SeriesCount] = {};
};
