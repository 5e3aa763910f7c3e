#pragma once
// A matrix painted as a diverging blue–white–red image: 0 is white, +scale red, −scale blue.
// The scale is set from outside so several heatmaps (W, W_r, W − W_r) share one colour bar.
// A matrix larger than the widget is block-averaged down to its pixel size first, so a
// 1000×2000 weight paints in a few milliseconds instead of scaling a 2-megapixel image.
// That averaging and colouring can also run on a worker thread (prepare → setFrame), so a
// stream of new matrices, one per rank-slider tick, costs the GUI thread only the paint.
#include "nn/tensor.h"

#include <QImage>
#include <QString>
#include <QWidget>
#include <memory>

class HeatmapWidget : public QWidget {
    Q_OBJECT
public:
    // What the widget shows for one matrix: the matrix, its block average at a sample size
    // and that coloured on a ±scale colour scale. Made by prepare() on any thread.
    struct Frame {
        std::shared_ptr<const lora::Matrix> matrix;
        lora::Matrix sampled;
        QImage image;
        float scale = 0.0f;
    };

    explicit HeatmapWidget(QWidget* parent = nullptr);

    // Shared, not copied: a 1000×2000 matrix is 8 MB, and fresh pages are slow to touch.
    // The matrix must not change while shown (kept for resampling on resize).
    void setMatrix(std::shared_ptr<const lora::Matrix> matrix);
    void setMatrix(const lora::Matrix& matrix); // keeps a copy
    // A prepared frame is taken as it is when it fits the widget's current sample size and
    // scale; otherwise the widget resamples frame.matrix itself.
    void setFrame(Frame frame);
    void clear(const QString& placeholder = {});
    const lora::Matrix& matrix() const;

    void setScale(float maxAbs); // |value| ≥ maxAbs saturates; 0 paints everything white
    float scale() const { return m_scale; }
    void setTitle(const QString& title);
    QString title() const { return m_title; }

    // What is painted: the matrix block-averaged to at most the image area's pixel size.
    const lora::Matrix& sampled() const { return m_sampled; }
    QRect imageRect() const; // where the matrix is drawn, in widget coordinates
    // imageRect()'s size in physical pixels: what a frame should be prepared at.
    QSize sampleSize() const;

    // Thread-safe: block-averages `matrix` to at most `sampleSize` and colours it.
    static Frame prepare(std::shared_ptr<const lora::Matrix> matrix, QSize sampleSize, float scale);
    // The same for a matrix the caller attaches to frame.matrix later (it stays null).
    static Frame prepare(const lora::Matrix& matrix, QSize sampleSize, float scale);
    // The same when the caller has the block average already (e.g. by linearity, as the
    // difference of two others): it only gets coloured.
    static Frame fromSample(std::shared_ptr<const lora::Matrix> matrix, lora::Matrix sampled,
                            float scale);
    // A colour scale that shows the bulk of `sampled` (what is painted): the 99th percentile
    // of its finite |values| — max|·| would let a few outliers wash every other cell out to
    // white. Falls back to max|·| when that percentile is 0 (a mostly-zero matrix).
    static float robustScale(const lora::Matrix& sampled);
    static QRgb colorFor(float value, float maxAbs);
    // Every cell of `sampled` through colorFor into `image` (reallocated only on a new size).
    static void colorize(const lora::Matrix& sampled, float maxAbs, QImage& image);
    // m: [rows, cols] -> [min(rows, outRows), min(cols, outCols)]; output cell (i, j) is the
    // mean of rows ⌊i·rows/h⌋…⌊(i+1)·rows/h⌋−1 and the same split of the columns.
    static lora::Matrix blockAverage(const lora::Matrix& m, int outRows, int outCols);
    static void blockAverage(const lora::Matrix& m, int outRows, int outCols, lora::Matrix& out);

    QSize sizeHint() const override { return {260, 220}; }
    QSize minimumSizeHint() const override { return {120, 100}; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void resample();
    void recolor();
    QRect colorBarRect() const;

    std::shared_ptr<const lora::Matrix> m_matrix;
    lora::Matrix m_sampled; // reused across resamples: no allocation per slider tick
    QImage m_image;
    float m_scale = 1.0f;
    QString m_title;
    QString m_placeholder;
};
