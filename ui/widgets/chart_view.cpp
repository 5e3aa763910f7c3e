#include "widgets/chart_view.h"

#include "widgets/chart_explorer.h"

#include "io/atomic_file.h"
#include "util/error.h"

#include <QAbstractBarSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QBuffer>
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QGraphicsLayout>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QSvgGenerator>
#include <QValueAxis>
#include <QXYSeries>
#include <algorithm>
#include <cmath>

#include <exception>

namespace {

// Writes through the core's atomic writer so a failed export leaves any old file intact.
bool writeAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    try {
        lora::writeFileAtomic(path.toStdString(),
                              std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(lora::errorText(e));
        return false;
    }
}

QString csvField(QString text) {
    if (text.contains(',') || text.contains('"')) text = '"' + text.replace('"', "\"\"") + '"';
    return text;
}

} // namespace

ChartView::ChartView(QChart* chart, QWidget* parent) : QChartView(chart, parent) {
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(240, 180);
    // Tight margins: on a laptop every pixel of plot height keeps tick labels whole.
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->layout()->setContentsMargins(2, 2, 2, 2);
    chart->setBackgroundRoundness(0);
    m_explorer = new ChartExplorer(this);
    // The plot's real size is known once the chart is laid out.
    connect(chart, &QChart::plotAreaChanged, this, [this] { fitTicks(); });
}

ChartView::~ChartView() {
    // The explorer filters the viewport's events; during QWidget's teardown this is no longer a
    // QChartView, so the filter goes first.
    viewport()->removeEventFilter(m_explorer);
    delete m_explorer;
    m_explorer = nullptr;
    // The chart and its axes outlive this part of the object (QChartView deletes them): their
    // signals must no longer reach the fit.
    for (QValueAxis* axis : m_wanted.keys()) disconnect(axis, nullptr, this, nullptr);
    if (chart()) disconnect(chart(), nullptr, this, nullptr);
    m_wanted.clear();
}

void ChartView::renderTo(QPaintDevice& device, QSize size) {
    // Laid out for the export size (fonts keep their size, the plot grows), not the screen's
    // picture scaled; the screen layout comes back before anything repaints.
    QChart* c = chart();
    const QRectF old = c->geometry();
    const QRectF target(QPointF(0, 0), QSizeF(size));
    c->setGeometry(QRectF(old.topLeft(), target.size()));
    if (c->layout()) c->layout()->activate();
    QPainter painter(&device);
    painter.setRenderHint(QPainter::Antialiasing);
    scene()->render(&painter, target, c->geometry());
    painter.end();
    c->setGeometry(old);
    if (c->layout()) c->layout()->activate();
}

bool ChartView::savePng(const QString& path, QString* error) {
    QImage image(kExportSize, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    renderTo(image, kExportSize);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) {
        if (error) *error = QStringLiteral("could not encode the chart as PNG");
        return false;
    }
    return writeAtomically(path, bytes, error);
}

bool ChartView::saveSvg(const QString& path, QString* error) {
    QByteArray bytes;
    QBuffer buffer(&bytes);
    QSvgGenerator generator;
    generator.setOutputDevice(&buffer);
    generator.setSize(kExportSize);
    generator.setViewBox(QRect(QPoint(0, 0), kExportSize));
    generator.setTitle(chart() ? chart()->title() : QString());
    renderTo(generator, kExportSize);
    return writeAtomically(path, bytes, error);
}

void ChartView::resizeEvent(QResizeEvent* event) {
    QChartView::resizeEvent(event);
    fitTicks();
}

namespace {

// The smallest 1, 2 or 5 × 10ⁿ at or above `raw`.
double niceStep(double raw) {
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (m * magnitude >= raw * (1 - 1e-9)) return m * magnitude;
    return 10.0 * magnitude;
}

} // namespace

void ChartView::fitTicks() {
    if (m_fitting || !chart()) return;
    m_fitting = true;
    const int lineHeight = QFontMetrics(font()).height();
    const QRectF plot = chart()->plotArea();
    for (QAbstractAxis* axis : chart()->axes()) {
        auto* values = qobject_cast<QValueAxis*>(axis);
        if (!values) continue;
        if (!m_wanted.contains(values)) watch(values);
        const Wanted wanted = m_wanted.value(values);
        const bool vertical = values->orientation() == Qt::Vertical;
        // A label needs ~1.8 lines of height between ticks, or ~5 lines of width.
        const int room = vertical ? int(plot.height()) / (lineHeight * 9 / 5)
                                  : int(plot.width()) / (lineHeight * 5);
        const int most = std::max(2, room + 1);
        if (values->tickType() == QValueAxis::TicksFixed) {
            const int count = std::min(wanted.count, most); // back up to the panel's when room
            if (values->tickCount() != count) values->setTickCount(count);
            continue;
        }
        const double span = values->max() - values->min();
        double interval = wanted.interval;
        if (interval > 0 && span / interval + 1 > most) interval = niceStep(span / (most - 1));
        if (interval > 0 && values->tickInterval() != interval) values->setTickInterval(interval);
    }
    m_fitting = false;
}

// What the panel set is what the fit returns to when there is room; changes made by the fit
// itself (m_fitting) are not the panel's.
void ChartView::watch(QValueAxis* axis) {
    m_wanted.insert(axis, {axis->tickCount(), axis->tickInterval()});
    const auto panelChanged = [this, axis] {
        if (m_fitting) return;
        m_wanted[axis] = {axis->tickCount(), axis->tickInterval()};
        fitTicks();
    };
    connect(axis, &QValueAxis::tickCountChanged, this, panelChanged);
    connect(axis, &QValueAxis::tickIntervalChanged, this, panelChanged);
    connect(axis, &QValueAxis::rangeChanged, this, [this] { fitTicks(); });
    connect(axis, &QObject::destroyed, this, [this, axis] { m_wanted.remove(axis); });
}

QString ChartView::csv() const {
    // Built column by column so XY pairs and bar tables share the padding rule.
    struct Column {
        QString header;
        QStringList cells;
    };
    QList<Column> columns;
    const QList<QAbstractSeries*> all = chart() ? chart()->series() : QList<QAbstractSeries*>();
    for (QAbstractSeries* s : all) {
        if (const auto* xy = qobject_cast<const QXYSeries*>(s)) {
            const QString name = s->name().isEmpty() ? QStringLiteral("series") : s->name();
            Column x{name + " x", {}}, y{name + " y", {}};
            for (const QPointF& p : xy->points()) {
                x.cells << QString::number(p.x(), 'g', 9);
                y.cells << QString::number(p.y(), 'g', 9);
            }
            columns << x << y;
        } else if (auto* bars = qobject_cast<QAbstractBarSeries*>(s)) {
            // Bars have no x values: one row per category, one column per bar set.
            QStringList categories;
            for (QAbstractAxis* axis : bars->attachedAxes())
                if (auto* c = qobject_cast<QBarCategoryAxis*>(axis)) categories = c->categories();
            Column category{QStringLiteral("category"), {}};
            QList<Column> sets;
            qsizetype count = 0;
            for (const QBarSet* set : bars->barSets()) {
                Column c{set->label().isEmpty() ? QStringLiteral("set") : set->label(), {}};
                for (int i = 0; i < set->count(); ++i)
                    c.cells << QString::number(set->at(i), 'g', 15);
                count = qMax(count, c.cells.size());
                sets << c;
            }
            for (qsizetype i = 0; i < count; ++i)
                category.cells << (i < categories.size() ? categories[i] : QString::number(i + 1));
            columns << category << sets;
        }
    }
    QStringList header;
    qsizetype rows = 0;
    for (const Column& c : columns) {
        header << csvField(c.header);
        rows = qMax(rows, c.cells.size());
    }
    QString out = header.join(',') + '\n';
    for (qsizetype r = 0; r < rows; ++r) {
        QStringList cells;
        for (const Column& c : columns)
            cells << (r < c.cells.size() ? csvField(c.cells[r]) : QString());
        out += cells.join(',') + '\n';
    }
    return out;
}

bool ChartView::saveCsv(const QString& path, QString* error) const {
    return writeAtomically(path, csv().toUtf8(), error);
}

void ChartView::contextMenuEvent(QContextMenuEvent* event) {
    QMenu menu(this);
    QAction* reset = menu.addAction(tr("Reset zoom"));
    reset->setEnabled(m_explorer->isZoomed());
    QAction* log = menu.addAction(tr("Logarithmic y axis"));
    log->setCheckable(true);
    log->setChecked(m_explorer->isLogY());
    log->setEnabled(m_explorer->canUseLogY());
    menu.addSeparator();
    QAction* png = menu.addAction(tr("Save as PNG…"));
    QAction* svg = menu.addAction(tr("Save as SVG…"));
    QAction* csv = menu.addAction(tr("Save data as CSV…"));
    QAction* chosen = menu.exec(event->globalPos());
    if (chosen == reset) return m_explorer->resetZoom();
    if (chosen == log) return m_explorer->setLogY(log->isChecked());
    if (!chosen || (chosen != png && chosen != svg && chosen != csv)) return;
    const QString filter = chosen == png   ? tr("PNG image (*.png)")
                           : chosen == svg ? tr("SVG image (*.svg)")
                                           : tr("CSV table (*.csv)");
    const QString path = QFileDialog::getSaveFileName(this, chosen->text(), QString(), filter);
    if (path.isEmpty()) return;
    QString error;
    const bool ok = chosen == png   ? savePng(path, &error)
                    : chosen == svg ? saveSvg(path, &error)
                                    : saveCsv(path, &error);
    if (!ok) QMessageBox::warning(this, tr("Export failed"), error);
}
