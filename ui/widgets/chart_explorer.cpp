#include "widgets/chart_explorer.h"

#include <QChart>
#include <QChartView>
#include <QLegend>
#include <QLegendMarker>
#include <QLogValueAxis>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>
#include <QXYSeries>
#include <algorithm>
#include <cmath>
#include <limits>

namespace {

QList<QXYSeries*> xySeries(QChart* chart) {
    QList<QXYSeries*> out;
    for (QAbstractSeries* s : chart->series())
        if (auto* xy = qobject_cast<QXYSeries*>(s)) out << xy;
    return out;
}

} // namespace

ChartExplorer::ChartExplorer(QChartView* view)
    : QObject(view), m_view(view), m_viewport(view->viewport()) {
    view->setMouseTracking(true);
    view->viewport()->setMouseTracking(true);
    view->viewport()->installEventFilter(this);
}

QChart* ChartExplorer::chart() const {
    return m_view->chart();
}

ChartExplorer::Nearest ChartExplorer::nearestPoint(QPointF viewPos, qreal reach) const {
    Nearest best;
    qreal bestDistance = reach * reach;
    const QPointF scenePos = m_view->mapToScene(viewPos.toPoint());
    const QPointF chartPos = chart()->mapFromScene(scenePos);
    if (!chart()->plotArea().adjusted(-reach, -reach, reach, reach).contains(chartPos)) return {};
    for (QXYSeries* series : xySeries(chart())) {
        if (!series->isVisible() || series->count() == 0) continue;
        // Long curves (thousands of steps) are probed at a stride: hover must stay instant.
        const int stride = std::max(1, int(series->count() / 4000));
        for (int i = 0; i < series->count(); i += stride) {
            const QPointF value = series->at(i);
            const QPointF at = chart()->mapToPosition(value, series);
            const qreal dx = at.x() - chartPos.x(), dy = at.y() - chartPos.y();
            if (dx * dx + dy * dy < bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = {series, value};
            }
        }
    }
    return best;
}

QString ChartExplorer::hoverText(const Nearest& nearest) const {
    if (!nearest.series) return {};
    const QString name = nearest.series->name().isEmpty() ? tr("value") : nearest.series->name();
    return tr("%1: x = %2, y = %3")
        .arg(name, QString::number(nearest.value.x(), 'g', 6),
             QString::number(nearest.value.y(), 'g', 6));
}

bool ChartExplorer::canUseLogY() const {
    if (m_log) return true;
    const QList<QAbstractAxis*> vertical = chart()->axes(Qt::Vertical);
    if (vertical.size() != 1 || !qobject_cast<QValueAxis*>(vertical.front())) return false;
    bool any = false;
    for (QXYSeries* series : xySeries(chart()))
        for (int i = 0; i < series->count(); ++i) {
            if (!(series->at(i).y() > 0)) return false;
            any = true;
        }
    return any;
}

void ChartExplorer::setLogY(bool on) {
    if (on == isLogY() || (on && !canUseLogY())) return;
    if (on) {
        m_linear = qobject_cast<QValueAxis*>(chart()->axes(Qt::Vertical).front());
        m_log = new QLogValueAxis;
        m_log->setBase(10);
        m_log->setLabelFormat(QStringLiteral("%g"));
        m_log->setMinorTickCount(-1);
        m_log->setTitleText(m_linear->titleText());
        chart()->addAxis(m_log, m_linear->alignment());
        for (QXYSeries* series : xySeries(chart())) {
            if (!series->attachedAxes().contains(m_linear)) continue;
            series->detachAxis(m_linear);
            series->attachAxis(m_log);
            connect(series, &QXYSeries::pointsReplaced, this, &ChartExplorer::refitLog);
            connect(series, &QXYSeries::pointReplaced, this, &ChartExplorer::refitLog);
            connect(series, &QXYSeries::pointAdded, this, &ChartExplorer::refitLog);
            connect(series, &QXYSeries::pointsRemoved, this, &ChartExplorer::refitLog);
        }
        // Hidden, not removed: the panel keeps setting its range, harmlessly, until log is off.
        m_linear->setVisible(false);
        refitLog();
        return;
    }
    for (QXYSeries* series : xySeries(chart())) {
        disconnect(series, nullptr, this, nullptr);
        if (!series->attachedAxes().contains(m_log)) continue;
        series->detachAxis(m_log);
        series->attachAxis(m_linear);
    }
    chart()->removeAxis(m_log);
    delete m_log;
    m_log = nullptr;
    m_linear->setVisible(true);
    m_linear = nullptr;
}

void ChartExplorer::refitLog() {
    if (!m_log) return;
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (QXYSeries* series : xySeries(chart())) {
        if (!series->attachedAxes().contains(m_log)) continue;
        for (int i = 0; i < series->count(); ++i) {
            const double y = series->at(i).y();
            if (!(y > 0)) return setLogY(false); // no place for it on a log axis
            lo = std::min(lo, y), hi = std::max(hi, y);
        }
    }
    if (!(hi > 0)) return;
    m_log->setRange(std::pow(10.0, std::floor(std::log10(lo))),
                    std::pow(10.0, std::ceil(std::log10(hi) + 1e-9)));
}

bool ChartExplorer::isZoomed() const {
    return chart()->isZoomed();
}

void ChartExplorer::resetZoom() {
    chart()->zoomReset();
}

void ChartExplorer::toggleSeries(QLegendMarker* marker) {
    QAbstractSeries* series = marker->series();
    series->setVisible(!series->isVisible());
    // Qt hides a hidden series' legend entry too: keep it, faded, so it can be clicked back.
    marker->setVisible(true);
    const qreal alpha = series->isVisible() ? 1.0 : 0.35;
    QColor label = marker->labelBrush().color();
    label.setAlphaF(alpha);
    marker->setLabelBrush(label);
    QBrush brush = marker->brush();
    QColor fill = brush.color();
    fill.setAlphaF(alpha);
    brush.setColor(fill);
    marker->setBrush(brush);
}

void ChartExplorer::connectLegend() {
    for (QLegendMarker* marker : chart()->legend()->markers()) {
        if (m_connected.contains(marker)) continue;
        m_connected.insert(marker);
        connect(marker, &QLegendMarker::clicked, this, [this, marker] { toggleSeries(marker); });
        connect(marker, &QObject::destroyed, this, [this, marker] { m_connected.remove(marker); });
    }
}

bool ChartExplorer::eventFilter(QObject* watched, QEvent* event) {
    if (watched != m_viewport || !chart()) return false;
    switch (event->type()) {
    case QEvent::MouseMove: {
        const auto* e = static_cast<QMouseEvent*>(event);
        if (e->buttons() != Qt::NoButton) break;
        const QString text = hoverText(nearestPoint(e->position()));
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(e->globalPosition().toPoint(), text, m_view);
        break;
    }
    case QEvent::MouseButtonPress: {
        connectLegend();                                       // before the legend sees the click
        const QList<QAbstractSeries*> all = chart()->series(); // one list: begin() and end()
        const bool bars = std::any_of(all.begin(), all.end(), [](QAbstractSeries* s) {
            return !qobject_cast<QXYSeries*>(s);
        });
        m_view->setRubberBand(bars || xySeries(chart()).isEmpty()
                                  ? QChartView::NoRubberBand
                                  : QChartView::RectangleRubberBand);
        break;
    }
    case QEvent::MouseButtonRelease:
        // QChartView zooms out on a right click; here the right button opens the menu only.
        if (static_cast<QMouseEvent*>(event)->button() == Qt::RightButton) return true;
        break;
    case QEvent::MouseButtonDblClick:
        resetZoom();
        return true;
    case QEvent::Wheel: {
        if (xySeries(chart()).isEmpty()) break;
        const auto* e = static_cast<QWheelEvent*>(event);
        const qreal factor = e->angleDelta().y() > 0 ? 1.25 : 0.8;
        // Zoom about the cursor: the plot rectangle scaled around it.
        const QPointF at = chart()->mapFromScene(m_view->mapToScene(e->position().toPoint()));
        const QRectF plot = chart()->plotArea();
        if (!plot.contains(at)) break;
        QRectF r(0, 0, plot.width() / factor, plot.height() / factor);
        r.moveCenter(at + (plot.center() - at) / factor);
        chart()->zoomIn(r);
        return true;
    }
    default:
        break;
    }
    return false;
}
