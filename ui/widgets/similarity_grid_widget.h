#pragma once
// A grid of values in [0, 1] (the LoRA paper's subspace similarity φ(i, j)) as a heatmap with
// a sequential colour map, axis ticks for i (rows, top to bottom) and j (columns), and a 0–1
// colour bar. Cells are drawn unsmoothed: an 8×64 grid must read as 512 cells, not a blur.
#include <Eigen/Core>
#include <QString>
#include <QWidget>

class SimilarityGridWidget : public QWidget {
    Q_OBJECT
public:
    explicit SimilarityGridWidget(QWidget* parent = nullptr);

    // grid(i − 1, j − 1) = φ(i, j); values outside [0, 1] are clamped when painted.
    void setGrid(const Eigen::MatrixXd& grid, const QString& rowTitle, const QString& colTitle);
    void clear(const QString& placeholder);
    const Eigen::MatrixXd& grid() const { return m_grid; }
    static QRgb colorFor(double value); // viridis-like, 0 dark violet → 1 yellow

    QSize sizeHint() const override { return {520, 260}; }
    QSize minimumSizeHint() const override { return {240, 140}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QRect cellsRect() const;

    Eigen::MatrixXd m_grid;
    QImage m_image; // one pixel per cell
    QString m_rowTitle, m_colTitle, m_placeholder;
};
