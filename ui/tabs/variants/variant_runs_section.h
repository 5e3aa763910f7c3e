#pragma once
// The variants' results side by side: their loss curves overlaid (bucket means, ≤ 250 points
// each, one colour per variant) and a table of variant, scale, accuracy, ‖ΔW‖ and trainable
// parameters whose names carry the curves' colours.
#include "train/variants.h"

#include <QWidget>
#include <vector>

class QLogValueAxis;
class QTableWidget;
class QValueAxis;
class ChartView;

class VariantRunsSection : public QWidget {
    Q_OBJECT
public:
    explicit VariantRunsSection(QWidget* parent = nullptr);

    void setRuns(const std::vector<lora::VariantRun>& runs);
    static QString label(const QString& variantName); // "pissa+rslora" -> "PiSSA · α/√r"

private:
    ChartView* m_lossChart = nullptr;
    QValueAxis* m_stepAxis = nullptr;
    QLogValueAxis* m_lossAxis = nullptr;
    QTableWidget* m_table = nullptr;
};
