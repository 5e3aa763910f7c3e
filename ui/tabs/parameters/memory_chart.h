#pragma once
// Training memory per method and precision as stacked bars (weights, gradients, Adam
// state): the table's seven rows read at a glance — how much of full fine-tuning's memory
// is optimiser state, and how little LoRA and QLoRA keep of it. One binary unit for the
// whole axis, the largest that keeps the longest bar at 1 or more.
#include "linalg/parameter_budget.h"

#include <QString>
#include <QWidget>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QValueAxis;
class ChartView;

class MemoryChart : public QWidget {
    Q_OBJECT
public:
    explicit MemoryChart(QWidget* parent = nullptr);

    // Rows top to bottom in the order given, as the table lists them.
    void setRows(const std::vector<lora::MemoryRow>& rows);

    int rowCount() const { return static_cast<int>(m_categories.size()); }
    QString category(int row) const { return m_categories[static_cast<std::size_t>(row)]; }
    // Bytes of one part (0 weights, 1 gradients, 2 Adam state) as the bar draws it.
    double bytes(int row, int part) const;
    QString unit() const { return m_unit; }

private:
    ChartView* m_view = nullptr;
    QBarSet* m_parts[3] = {};
    QBarCategoryAxis* m_rowAxis = nullptr;
    QValueAxis* m_bytesAxis = nullptr;
    std::vector<QString> m_categories;
    QString m_unit = QStringLiteral("B");
    double m_unitBytes = 1.0;
};
