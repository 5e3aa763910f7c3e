#pragma once
// The Adapter inspector's per-block heatmap: rows are a model's blocks, columns the module
// kinds in them (io/module_layout.h), each cell coloured by one figure of its module
// (‖ΔW‖_F, effective rank, retained share, similarity) with the row and column names beside
// it. Clicking a cell selects its module.
#include <Eigen/Core>
#include <QStringList>
#include <QWidget>

class ModuleGridWidget : public QWidget {
    Q_OBJECT
public:
    explicit ModuleGridWidget(QWidget* parent = nullptr);

    // values(row, col); NaN where no module sits (painted grey). Colours run from the
    // smallest to the largest finite value.
    void setGrid(const QStringList& rows, const QStringList& columns,
                 const Eigen::MatrixXd& values);
    void setSelected(int row, int column); // −1 for none
    const Eigen::MatrixXd& values() const { return m_values; }
    QStringList rowNames() const { return m_rows; }
    QStringList columnNames() const { return m_columns; }
    QRect cellRect(int row, int column) const; // widget coordinates

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override { return {240, 160}; }

signals:
    void cellClicked(int row, int column);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    QRect cellsRect() const;
    int labelWidth() const;

    QStringList m_rows, m_columns;
    Eigen::MatrixXd m_values;
    int m_selectedRow = -1, m_selectedColumn = -1;
};
