#include "docks/rank_accuracy_chart.h"

#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

RankAccuracyChart::RankAccuracyChart(QWidget* parent) : ChartView(new QChart, parent) {
    QChart* c = chart();
    c->legend()->hide();
    c->setMargins(QMargins(2, 2, 2, 2));
    m_line = new QLineSeries;
    m_line->setName(tr("accuracy"));
    m_line->setPointsVisible(true);
    m_marker = new QScatterSeries;
    m_marker->setName(tr("r′ now"));
    m_marker->setMarkerSize(9);
    m_marker->setColor(QColor(178, 24, 43));
    m_x = new QLogValueAxis;
    m_x->setBase(2);
    m_x->setRange(1, 2); // before any series: a log axis must never see 0
    m_x->setLabelFormat("%g");
    m_x->setTitleText(tr("r′ (log)"));
    m_y = new QValueAxis;
    m_y->setLabelFormat("%g");
    m_y->setTitleText(tr("accuracy %"));
    c->addAxis(m_x, Qt::AlignBottom);
    c->addAxis(m_y, Qt::AlignLeft);
    for (QXYSeries* s : std::initializer_list<QXYSeries*>{m_line, m_marker}) {
        c->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    clear(1);
}

void RankAccuracyChart::clear(int maxRank) {
    m_points.clear();
    m_x->setRange(1, std::max(2, maxRank));
    redraw();
}

void RankAccuracyChart::addPoint(int rank, double accuracy) {
    m_points[rank] = accuracy;
    redraw();
}

void RankAccuracyChart::markRank(int rank) {
    m_current = rank;
    redraw();
}

void RankAccuracyChart::redraw() {
    QList<QPointF> line;
    double lo = 100, hi = 0;
    for (const auto& [r, acc] : m_points) {
        line.append(QPointF(r, acc));
        lo = std::min(lo, acc);
        hi = std::max(hi, acc);
    }
    m_line->replace(line);
    const auto it = m_points.find(m_current);
    m_marker->replace(it == m_points.end() ? QList<QPointF>{}
                                           : QList<QPointF>{QPointF(it->first, it->second)});
    if (line.isEmpty()) lo = 0, hi = 100;
    // Whole percents around the points, at least 2 apart, so small differences stay visible.
    const double bottom = std::max(0.0, std::floor(lo) - 1),
                 top = std::min(100.0, std::ceil(hi) + 1);
    m_y->setRange(bottom, std::max(top, bottom + 2));
}
