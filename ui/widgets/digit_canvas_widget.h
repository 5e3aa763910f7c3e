#pragma once
// A square canvas to draw a digit on with the mouse or a pen: a round brush with a soft edge,
// white ink on black like MNIST. Ink combines by maximum, so a stroke crossing itself does not
// get darker than one pass. Right-click or Esc clears. ink() hands the drawing to the core's
// MNIST-like preprocessing at the canvas's logical size, whatever the screen's pixel ratio.
#include "nn/tensor.h"

#include <QImage>
#include <QPointF>
#include <QWidget>

class DigitCanvasWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kSide = 280; // logical pixels: 10 per MNIST pixel

    explicit DigitCanvasWidget(QWidget* parent = nullptr);

    lora::Matrix ink() const; // [kSide, kSide] in [0, 1]
    bool isBlank() const { return m_blank; }
    // Replaces the drawing; any size, resampled to the canvas (nearest: a 28×28 image
    // becomes 10×10 blocks). Used to redraw a dataset digit, e.g. in tests.
    void setInk(const lora::Matrix& ink);
    void setBrushRadius(double radius) { m_radius = radius; }
    double brushRadius() const { return m_radius; }

    QSize sizeHint() const override { return {kSide, kSide}; }

public slots:
    void clear();

signals:
    void inkChanged(); // after every dab; listeners throttle

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    void strokeTo(const QPointF& point);
    void dab(const QPointF& centre);

    QImage m_image; // kSide² grey, 0 = paper; the red channel is the ink
    QPointF m_last;
    bool m_drawing = false;
    bool m_blank = true;
    double m_radius = 13.0; // MNIST strokes are ~2–3 of 28 pixels wide
};
