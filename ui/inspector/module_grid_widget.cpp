#include "inspector/module_grid_widget.h"

#include "widgets/similarity_grid_widget.h"

#include <QMouseEvent>
#include <QPainter>
#include <algorithm>
#include <cmath>

namespace {
constexpr int kHeaderHeight = 64; // column names drawn at 45°
constexpr int kColorBarWidth = 14;
} // namespace

ModuleGridWidget::ModuleGridWidget(QWidget* parent) : QWidget(parent) {
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ModuleGridWidget::setGrid(const QStringList& rows, const QStringList& columns,
                               const Eigen::MatrixXd& values) {
    m_rows = rows;
    m_columns = columns;
    m_values = values;
    updateGeometry();
    update();
}

void ModuleGridWidget::setSelected(int row, int column) {
    m_selectedRow = row;
    m_selectedColumn = column;
    update();
}

QSize ModuleGridWidget::sizeHint() const {
    return {labelWidth() + 24 * int(std::max<qsizetype>(4, m_columns.size())) + 40,
            kHeaderHeight + 14 * int(std::max<qsizetype>(8, m_rows.size())) + 8};
}

int ModuleGridWidget::labelWidth() const {
    int w = 40;
    for (const QString& r : m_rows) w = std::max(w, fontMetrics().horizontalAdvance(r) + 8);
    return std::min(w, width() / 3);
}

QRect ModuleGridWidget::cellsRect() const {
    return QRect(labelWidth(), kHeaderHeight, width() - labelWidth() - kColorBarWidth - 40,
                 height() - kHeaderHeight - 4);
}

QRect ModuleGridWidget::cellRect(int row, int column) const {
    const QRect r = cellsRect();
    if (m_rows.isEmpty() || m_columns.isEmpty()) return {};
    const double w = double(r.width()) / m_columns.size(), h = double(r.height()) / m_rows.size();
    return QRect(QPoint(r.left() + int(column * w), r.top() + int(row * h)),
                 QPoint(r.left() + int((column + 1) * w) - 1, r.top() + int((row + 1) * h) - 1));
}

void ModuleGridWidget::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    if (m_rows.isEmpty() || m_columns.isEmpty()) {
        p.drawText(rect(), Qt::AlignCenter, tr("no modules"));
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (double v : m_values.reshaped())
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    const double span = hi > lo ? hi - lo : 1.0;
    const int rowStep = std::max(
        1, int(m_rows.size() * fontMetrics().height() / std::max(1, cellsRect().height()) + 1));
    for (int i = 0; i < m_rows.size(); ++i) {
        for (int j = 0; j < m_columns.size(); ++j) {
            const double v = m_values(i, j);
            p.fillRect(cellRect(i, j), std::isfinite(v)
                                           ? QColor(SimilarityGridWidget::colorFor((v - lo) / span))
                                           : QColor(225, 225, 225));
        }
        if (i % rowStep == 0)
            p.drawText(QRect(0, cellRect(i, 0).top(), labelWidth() - 4, fontMetrics().height()),
                       Qt::AlignRight | Qt::AlignVCenter, m_rows[i]);
    }
    for (int j = 0; j < m_columns.size(); ++j) {
        const QRect c = cellRect(0, j);
        p.save();
        p.translate(c.center().x(), kHeaderHeight - 4);
        p.rotate(-45);
        p.drawText(0, 0, fontMetrics().elidedText(m_columns[j], Qt::ElideLeft, 84));
        p.restore();
    }
    if (m_selectedRow >= 0 && m_selectedColumn >= 0) {
        p.setPen(QPen(Qt::red, 2));
        p.setBrush(Qt::NoBrush);
        p.drawRect(cellRect(m_selectedRow, m_selectedColumn).adjusted(1, 1, -1, -1));
    }
    // The colour bar with its two ends' values.
    const QRect cells = cellsRect();
    const QRect bar(cells.right() + 6, cells.top(), kColorBarWidth, cells.height());
    for (int y = 0; y < bar.height(); ++y)
        p.fillRect(bar.left(), bar.bottom() - y, bar.width(), 1,
                   QColor(SimilarityGridWidget::colorFor(double(y) / std::max(1, bar.height()))));
    p.setPen(palette().text().color());
    const auto label = [](double v) { return QString::number(v, 'g', 3); };
    p.drawText(bar.right() + 2, bar.top() + fontMetrics().ascent(),
               label(std::isfinite(hi) ? hi : 0));
    p.drawText(bar.right() + 2, bar.bottom(), label(std::isfinite(lo) ? lo : 0));
}

void ModuleGridWidget::mousePressEvent(QMouseEvent* event) {
    for (int i = 0; i < m_rows.size(); ++i)
        for (int j = 0; j < m_columns.size(); ++j)
            if (cellRect(i, j).contains(event->position().toPoint()) &&
                std::isfinite(m_values(i, j))) {
                setSelected(i, j);
                emit cellClicked(i, j);
                return;
            }
}
