#pragma once
// "Is the update low-rank?": for one layer of a forgetting run, the singular values of the
// full fine-tune's ΔW_full on a log axis (the top r, a rank-r LoRA's room, in colour) and a
// read-out of the energy those r hold next to what the rank-r LoRA reached.
#include "train/forgetting.h"

#include <QGroupBox>
#include <memory>

class QComboBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QValueAxis;
class ChartView;

class UpdateSpectrumSection : public QGroupBox {
    Q_OBJECT
public:
    explicit UpdateSpectrumSection(QWidget* parent = nullptr);

    // null clears; the layer choice is kept across results when the layer still exists.
    void setResult(std::shared_ptr<const lora::ForgettingResult> result);
    QString readout() const;

private:
    void showLayer();

    std::shared_ptr<const lora::ForgettingResult> m_result;
    QComboBox* m_layerCombo = nullptr;
    QLabel* m_readoutLabel = nullptr;
    ChartView* m_spectrumChart = nullptr;
    QLineSeries* m_topSeries = nullptr;  // σ₁…σ_r: what a rank-r update can hold
    QLineSeries* m_restSeries = nullptr; // σ_{r+1}… up to the 32nd
    QValueAxis* m_indexAxis = nullptr;
    QLogValueAxis* m_sigmaAxis = nullptr;
};
