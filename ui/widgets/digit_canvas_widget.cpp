#include "widgets/digit_canvas_widget.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QRadialGradient>

#include <algorithm>
#include <cmath>

DigitCanvasWidget::DigitCanvasWidget(QWidget* parent) : QWidget(parent) {
    setFixedSize(kSide, kSide);      // mouse positions are canvas pixels, no mapping to get wrong
    setFocusPolicy(Qt::StrongFocus); // Esc clears
    setCursor(Qt::CrossCursor);
    setToolTip(tr("Draw a digit; right-click or Esc clears"));
    m_image = QImage(kSide, kSide, QImage::Format_RGB32);
    m_image.fill(Qt::black);
}

lora::Matrix DigitCanvasWidget::ink() const {
    lora::Matrix out(kSide, kSide);
    for (int y = 0; y < kSide; ++y) {
        const auto* line = reinterpret_cast<const QRgb*>(m_image.constScanLine(y));
        for (int x = 0; x < kSide; ++x) out(y, x) = float(qRed(line[x])) / 255.0f;
    }
    return out;
}

void DigitCanvasWidget::setInk(const lora::Matrix& ink) {
    m_blank = true;
    for (int y = 0; y < kSide; ++y) {
        auto* line = reinterpret_cast<QRgb*>(m_image.scanLine(y));
        for (int x = 0; x < kSide; ++x) {
            const float v = ink.size() ? ink(y * ink.rows() / kSide, x * ink.cols() / kSide) : 0.f;
            const int g = std::clamp(int(std::lround(v * 255.0f)), 0, 255);
            line[x] = qRgb(g, g, g);
            m_blank = m_blank && g == 0;
        }
    }
    update();
    emit inkChanged();
}

void DigitCanvasWidget::clear() {
    m_image.fill(Qt::black);
    m_blank = true;
    m_drawing = false;
    update();
    emit inkChanged();
}

void DigitCanvasWidget::dab(const QPointF& centre) {
    // Opaque grey levels combined by Lighten are max(old, new): overlapping dabs of one
    // stroke keep the brush's profile instead of piling up into a hard-edged line.
    QRadialGradient gradient(centre, m_radius);
    gradient.setColorAt(0.0, Qt::white);
    gradient.setColorAt(0.45, Qt::white);
    gradient.setColorAt(0.75, QColor(150, 150, 150));
    gradient.setColorAt(1.0, Qt::black);
    QPainter p(&m_image);
    p.setRenderHint(QPainter::Antialiasing);
    p.setCompositionMode(QPainter::CompositionMode_Lighten);
    p.setPen(Qt::NoPen);
    p.setBrush(gradient);
    p.drawEllipse(centre, m_radius, m_radius);
    m_blank = false;
}

void DigitCanvasWidget::strokeTo(const QPointF& point) {
    // Dabs a quarter radius apart: a fast mouse leaves no gaps between move events.
    const QPointF delta = point - m_last;
    const double length = std::hypot(delta.x(), delta.y());
    const int steps = std::max(1, int(std::ceil(length / std::max(1.0, m_radius / 4))));
    for (int k = 1; k <= steps; ++k) dab(m_last + delta * (double(k) / steps));
    m_last = point;
    update();
    emit inkChanged();
}

void DigitCanvasWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.drawImage(rect(), m_image);
    if (m_blank) {
        p.setPen(QColor(150, 150, 150));
        p.drawText(rect(), Qt::AlignCenter, tr("draw a digit here"));
    }
    p.setPen(QColor(90, 90, 90));
    p.drawRect(rect().adjusted(0, 0, -1, -1));
}

void DigitCanvasWidget::mousePressEvent(QMouseEvent* event) {
    if (event->button() == Qt::RightButton) return clear();
    if (event->button() != Qt::LeftButton) return;
    m_drawing = true;
    m_last = event->position();
    dab(m_last);
    update();
    emit inkChanged();
}

void DigitCanvasWidget::mouseMoveEvent(QMouseEvent* event) {
    if (m_drawing) strokeTo(event->position()); // not event->buttons(): tablets may omit them
}

void DigitCanvasWidget::mouseReleaseEvent(QMouseEvent* event) {
    if (m_drawing && event->button() == Qt::LeftButton) {
        strokeTo(event->position());
        m_drawing = false;
    }
}

void DigitCanvasWidget::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Escape) return clear();
    QWidget::keyPressEvent(event);
}
