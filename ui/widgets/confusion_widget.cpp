#include "widgets/confusion_widget.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

ConfusionWidget::ConfusionWidget(QWidget* parent) : QWidget(parent) {
    setObjectName("confusionMatrix");
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ConfusionWidget::setMatrix(const std::vector<std::vector<int>>& confusion,
                                const std::vector<int>& digits) {
    const std::size_t n = digits.size();
    const bool square = confusion.size() == n &&
                        std::all_of(confusion.begin(), confusion.end(),
                                    [n](const std::vector<int>& row) { return row.size() == n; });
    if (!square) {
        clear();
        return;
    }
    m_confusion = confusion;
    m_digits = digits;
    update();
}

void ConfusionWidget::clear() {
    m_confusion.clear();
    m_digits.clear();
    update();
}

QColor ConfusionWidget::rampColor(double fraction) {
    // Square root stretches the low end: a handful of errors next to hundreds of hits
    // would otherwise be indistinguishable from zero.
    const double t = std::sqrt(std::clamp(fraction, 0.0, 1.0));
    const QColor low(247, 251, 255), high(8, 48, 107); // ColorBrewer "Blues" ends
    auto mix = [t](int a, int b) { return static_cast<int>(std::lround(a + (b - a) * t)); };
    return QColor(mix(low.red(), high.red()), mix(low.green(), high.green()),
                  mix(low.blue(), high.blue()));
}

void ConfusionWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const int n = classCount();
    if (n == 0) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No confusion matrix yet"));
        return;
    }
    const QFontMetrics metrics(font());
    const int axisTitle = metrics.height() + 4; // "predicted" / "true" titles
    const int tickLabels = metrics.horizontalAdvance(QStringLiteral("00")) + 6;
    const int margin = axisTitle + tickLabels;
    const int side = std::max(n, std::min(width() - margin - 8, height() - margin - 8));
    const double cell = static_cast<double>(side) / n;
    const int left = margin + std::max(0, (width() - margin - side) / 2);
    const int top = margin;

    int largest = 1;
    for (const auto& row : m_confusion)
        for (int c : row) largest = std::max(largest, c);

    QFont countFont = font();
    countFont.setPixelSize(std::clamp(static_cast<int>(cell * 0.28), 8, 22));
    for (int t = 0; t < n; ++t) {
        for (int p = 0; p < n; ++p) {
            const QRectF r(left + p * cell, top + t * cell, cell, cell);
            const double fraction = static_cast<double>(m_confusion[t][p]) / largest;
            painter.fillRect(r, rampColor(fraction));
            painter.setPen(QPen(QColor(255, 255, 255), 1));
            painter.drawRect(r);
            painter.setFont(countFont);
            const int value = m_confusion[t][p];
            painter.setPen(fraction > 0.3 ? QColor(Qt::white)
                           : value == 0   ? QColor(170, 170, 170) // zeros recede
                                          : QColor(40, 40, 40));
            painter.drawText(r, Qt::AlignCenter, QString::number(value));
        }
    }

    painter.setFont(font());
    painter.setPen(palette().color(QPalette::Text));
    for (int i = 0; i < n; ++i) {
        const QString digit = QString::number(m_digits[i]);
        painter.drawText(QRectF(left + i * cell, top - tickLabels, cell, tickLabels),
                         Qt::AlignCenter, digit);
        painter.drawText(QRectF(left - tickLabels, top + i * cell, tickLabels - 4, cell),
                         Qt::AlignRight | Qt::AlignVCenter, digit);
    }
    painter.drawText(QRectF(left, 0, side, axisTitle), Qt::AlignCenter, tr("predicted"));
    // The row title reads bottom-to-top along the left edge.
    painter.save();
    painter.translate(left - tickLabels - axisTitle, top + side / 2.0);
    painter.rotate(-90);
    painter.drawText(QRectF(-side / 2.0, 0, side, axisTitle), Qt::AlignCenter, tr("true"));
    painter.restore();
}
