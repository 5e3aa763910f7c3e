#include "widgets/digit_grid_widget.h"

#include "data/dataset.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

namespace {

constexpr int kPadding = 4;  // between a cell's frame and its image
constexpr int kSpacing = 6;  // between cells
constexpr int kCaption = 18; // caption strip under each image
constexpr int kMinScale = 2; // 28 px digits are too small to read
const QColor kWrong(214, 39, 40);

} // namespace

DigitGridWidget::DigitGridWidget(QWidget* parent) : QWidget(parent) {
    setObjectName("digitGrid");
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

std::uint8_t DigitGridWidget::toGrey(float normalised) {
    const float grey = (normalised * lora::kMnistStd + lora::kMnistMean) * 255.0f;
    return static_cast<std::uint8_t>(std::clamp(std::lround(grey), 0L, 255L));
}

QImage DigitGridWidget::toImage(const float* row) {
    QImage image(kSide, kSide, QImage::Format_Grayscale8);
    for (int y = 0; y < kSide; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < kSide; ++x) line[x] = toGrey(row[y * kSide + x]);
    }
    return image;
}

void DigitGridWidget::setSamples(const lora::Matrix& images, const std::vector<int>& trueDigits) {
    m_images.clear();
    const int n = std::min(static_cast<int>(images.rows()), static_cast<int>(trueDigits.size()));
    // Rows that are not 28×28 images (a model over other features) cannot be drawn.
    if (images.cols() == kSide * kSide)
        for (int i = 0; i < n; ++i) m_images.push_back(toImage(images.row(i).data()));
    m_true.assign(trueDigits.begin(), trueDigits.begin() + cellCount());
    m_predicted.clear();
    updateGeometry();
    update();
}

void DigitGridWidget::setPredictions(const std::vector<int>& predictedDigits) {
    m_predicted = predictedDigits;
    if (static_cast<int>(m_predicted.size()) != cellCount()) m_predicted.clear();
    update();
}

void DigitGridWidget::clear() {
    m_images.clear();
    m_true.clear();
    m_predicted.clear();
    updateGeometry();
    update();
}

bool DigitGridWidget::isWrong(int i) const {
    return !m_predicted.empty() && m_predicted[i] != m_true[i];
}

int DigitGridWidget::wrongCount() const {
    int wrong = 0;
    for (int i = 0; i < cellCount(); ++i) wrong += isWrong(i);
    return wrong;
}

DigitGridWidget::Layout DigitGridWidget::layout() const {
    Layout l;
    const int r = std::max(1, rows());
    const int fitX = (width() - kColumns * (2 * kPadding + kSpacing)) / kColumns;
    const int fitY = (height() - r * (2 * kPadding + kSpacing + kCaption)) / r;
    l.imageSide = std::max(kMinScale * kSide, std::min(fitX, fitY));
    l.cellWidth = l.imageSide + 2 * kPadding;
    l.cellHeight = l.imageSide + 2 * kPadding + kCaption;
    const int gridWidth = kColumns * l.cellWidth + (kColumns - 1) * kSpacing;
    l.left = std::max(0, (width() - gridWidth) / 2);
    l.top = 0; // directly under the caption the panel puts above the grid
    return l;
}

QRect DigitGridWidget::cellRect(int i) const {
    const Layout l = layout();
    const int col = i % kColumns, row = i / kColumns;
    return QRect(l.left + col * (l.cellWidth + kSpacing), l.top + row * (l.cellHeight + kSpacing),
                 l.cellWidth, l.cellHeight);
}

QSize DigitGridWidget::sizeHint() const {
    const int r = std::max(4, rows());
    return QSize(kColumns * (kSide * 3 + 2 * kPadding + kSpacing),
                 r * (kSide * 3 + 2 * kPadding + kCaption + kSpacing));
}

QSize DigitGridWidget::minimumSizeHint() const {
    const int r = std::max(4, rows());
    return QSize(kColumns * (kSide * kMinScale + 2 * kPadding + kSpacing),
                 r * (kSide * kMinScale + 2 * kPadding + kCaption + kSpacing));
}

void DigitGridWidget::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    if (m_images.empty()) {
        painter.setPen(palette().color(QPalette::PlaceholderText));
        painter.drawText(rect(), Qt::AlignCenter, tr("No test digits to show"));
        return;
    }
    const Layout l = layout();
    QFont captionFont = font();
    captionFont.setPointSizeF(captionFont.pointSizeF() * 1.05);
    for (int i = 0; i < cellCount(); ++i) {
        const QRect cell = cellRect(i);
        const bool wrong = isWrong(i);
        painter.fillRect(cell, palette().color(QPalette::Base));
        // Whole multiples keep hard pixel edges; anything in between would turn some
        // pixels 2 px and others 3 px wide, which reads worse than a slight blur.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, l.imageSide % kSide != 0);
        const QRect imageRect(cell.left() + kPadding, cell.top() + kPadding, l.imageSide,
                              l.imageSide);
        painter.drawImage(imageRect, m_images[i]);
        painter.setPen(wrong ? QPen(kWrong, 3) : QPen(palette().color(QPalette::Mid), 1));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(cell.adjusted(1, 1, -1, -1));

        const QString predicted =
            m_predicted.empty() ? QStringLiteral("–") : QString::number(m_predicted[i]);
        painter.setFont(captionFont);
        painter.setPen(wrong ? kWrong : palette().color(QPalette::Text));
        const QRect caption(cell.left(), imageRect.bottom() + 1, cell.width(),
                            cell.bottom() - imageRect.bottom() - 1);
        painter.drawText(caption, Qt::AlignCenter,
                         QStringLiteral("%1 / %2").arg(predicted).arg(m_true[i]));
    }
}
