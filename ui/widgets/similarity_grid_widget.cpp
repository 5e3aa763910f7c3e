#include "widgets/similarity_grid_widget.h"

#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>

namespace {

// Ticks at 1, the last index and round steps between, so 64 columns are not 64 labels.
std::vector<int> ticksFor(int n) {
    const int step = n <= 10 ? 1 : n <= 20 ? 4 : n <= 40 ? 8 : 16;
    std::vector<int> ticks{1};
    for (int t = step; t < n; t += step)
        if (t - ticks.back() >= step / 2 + (step == 1)) ticks.push_back(t);
    if (n > 1) {
        if (n - ticks.back() < step / 2) ticks.pop_back();
        ticks.push_back(n);
    }
    return ticks;
}

} // namespace

SimilarityGridWidget::SimilarityGridWidget(QWidget* parent) : QWidget(parent) {
    setMinimumSize(minimumSizeHint());
}

QRgb SimilarityGridWidget::colorFor(double value) {
    static constexpr std::array<std::array<int, 3>, 5> stops{
        {{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}}};
    const double t = std::clamp(std::isfinite(value) ? value : 0.0, 0.0, 1.0) * 4.0;
    const int k = std::min(3, int(t));
    const double f = t - k;
    const auto mix = [&](int c) {
        return int(std::lround(stops[k][c] * (1 - f) + stops[k + 1][c] * f));
    };
    return qRgb(mix(0), mix(1), mix(2));
}

void SimilarityGridWidget::setGrid(const Eigen::MatrixXd& grid, const QString& rowTitle,
                                   const QString& colTitle) {
    m_grid = grid;
    m_rowTitle = rowTitle;
    m_colTitle = colTitle;
    m_placeholder.clear();
    m_image = QImage(int(grid.cols()), int(grid.rows()), QImage::Format_RGB32);
    for (int i = 0; i < grid.rows(); ++i)
        for (int j = 0; j < grid.cols(); ++j) m_image.setPixel(j, i, colorFor(grid(i, j)));
    update();
}

void SimilarityGridWidget::clear(const QString& placeholder) {
    m_grid.resize(0, 0);
    m_image = QImage();
    m_placeholder = placeholder;
    update();
}

QRect SimilarityGridWidget::cellsRect() const {
    const int text = fontMetrics().height();
    // Left: the i title and tick labels; bottom: j ticks and title; right: the colour bar.
    const int left = 2 * text + fontMetrics().horizontalAdvance(QStringLiteral("64")) + 8;
    const int top = text / 2, right = 2 * text + 14 + 44, bottom = 2 * text + 8;
    return QRect(left, top, std::max(1, width() - left - right),
                 std::max(1, height() - top - bottom));
}

void SimilarityGridWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (m_image.isNull()) {
        p.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap, m_placeholder);
        return;
    }
    const QRect cells = cellsRect();
    const QFontMetrics fm = fontMetrics();
    p.drawImage(cells, m_image); // no smoothing: each cell a flat block
    p.setPen(palette().windowText().color());
    p.drawRect(cells.adjusted(0, 0, -1, -1));
    const double cw = double(cells.width()) / m_grid.cols(),
                 ch = double(cells.height()) / m_grid.rows();
    for (int j : ticksFor(int(m_grid.cols()))) {
        const int x = cells.left() + int((j - 0.5) * cw);
        p.drawLine(x, cells.bottom(), x, cells.bottom() + 3);
        p.drawText(QRect(x - 20, cells.bottom() + 3, 40, fm.height()), Qt::AlignHCenter,
                   QString::number(j));
    }
    for (int i : ticksFor(int(m_grid.rows()))) {
        const int y = cells.top() + int((i - 0.5) * ch);
        p.drawLine(cells.left() - 3, y, cells.left(), y);
        p.drawText(QRect(0, y - fm.height() / 2, cells.left() - 5, fm.height()),
                   Qt::AlignRight | Qt::AlignVCenter, QString::number(i));
    }
    p.drawText(QRect(cells.left(), cells.bottom() + 3 + fm.height(), cells.width(), fm.height()),
               Qt::AlignHCenter, m_colTitle);
    p.save();
    p.translate(fm.height() * 0.2, cells.center().y());
    p.rotate(-90);
    p.drawText(QRect(-cells.height() / 2, 0, cells.height(), fm.height()), Qt::AlignHCenter,
               m_rowTitle);
    p.restore();

    // Colour bar 0–1, top = 1 like the values it names.
    const QRect bar(cells.right() + 2 * fm.height(), cells.top(), 14, cells.height());
    for (int y = 0; y < bar.height(); ++y)
        p.fillRect(bar.left(), bar.top() + y, bar.width(), 1,
                   QColor(colorFor(1.0 - double(y) / std::max(1, bar.height() - 1))));
    p.drawRect(bar.adjusted(0, 0, -1, -1));
    for (double v : {0.0, 0.5, 1.0}) {
        const int y = bar.bottom() - int(v * (bar.height() - 1));
        p.drawText(QRect(bar.right() + 4, y - fm.height() / 2, 40, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter, QString::number(v, 'g', 2));
    }
    p.drawText(QRect(bar.left() - 10, bar.bottom() + 3, 60, fm.height()), Qt::AlignLeft,
               QStringLiteral("φ"));
}
