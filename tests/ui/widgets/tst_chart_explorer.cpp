// Explorable charts through a real ChartView (offscreen): hover shows the nearest point's
// values, a legend click hides a series and a second click brings it back, a left drag and
// the wheel zoom and a double-click resets, a right click never zooms out, and the log y
// switch appears only for positive data and steps back by itself when a 0 arrives.
#include "widgets/chart_explorer.h"
#include "widgets/chart_view.h"

#include <QChart>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QToolTip>
#include <QValueAxis>
#include <QtTest>

namespace {

struct Fixture {
    QLineSeries* loss = new QLineSeries;
    QLineSeries* other = new QLineSeries;
    QValueAxis* x = new QValueAxis;
    QValueAxis* y = new QValueAxis;
    ChartView* view = nullptr;

    Fixture() {
        auto* chart = new QChart;
        loss->setName("loss");
        other->setName("other");
        for (int i = 0; i <= 10; ++i) {
            loss->append(i, std::pow(2.0, i));
            other->append(i, 500.0 + i);
        }
        chart->addSeries(loss);
        chart->addSeries(other);
        x->setRange(0, 10);
        y->setRange(0, 1100);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        for (QLineSeries* s : {loss, other}) {
            s->attachAxis(x);
            s->attachAxis(y);
        }
        view = new ChartView(chart);
        view->resize(600, 400);
        view->show();
    }
    ~Fixture() { delete view; }

    // Where a data point of `series` is drawn, in viewport pixels.
    QPoint at(QPointF value, QLineSeries* series) const {
        const QPointF scene =
            view->chart()->mapToScene(view->chart()->mapToPosition(value, series));
        return view->mapFromScene(scene);
    }
    QPoint chartPoint(QPointF chartPos) const {
        return view->mapFromScene(view->chart()->mapToScene(chartPos));
    }
};

} // namespace

class TestChartExplorer : public QObject {
    Q_OBJECT
private slots:
    void hoverShowsTheNearestPoint() {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(f.view));
        const QPoint p = f.at({6, 64}, f.loss) + QPoint(3, -2);
        const ChartExplorer::Nearest n = f.view->explorer()->nearestPoint(p);
        QCOMPARE(n.series, f.loss);
        QCOMPARE(n.value, QPointF(6, 64));
        QCOMPARE(f.view->explorer()->hoverText(n), QString("loss: x = 6, y = 64"));
        QTest::mouseMove(f.view->viewport(), p);
        QTRY_COMPARE(QToolTip::text(), QString("loss: x = 6, y = 64"));
        // Far from every point: nothing.
        QVERIFY(!f.view->explorer()->nearestPoint(f.at({2, 900}, f.loss)).series);
    }

    void legendClickHidesAndShowsASeries() {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(f.view));
        const QRectF legend = f.view->chart()->legend()->geometry();
        // Two entries side by side, centred: the first ("loss") sits left of the middle.
        const QPoint first = f.chartPoint({legend.center().x() - 20, legend.center().y()});
        QTest::mouseClick(f.view->viewport(), Qt::LeftButton, {}, first);
        QTRY_VERIFY(!f.loss->isVisible());
        QVERIFY(f.other->isVisible());
        const QLegendMarker* marker = f.view->chart()->legend()->markers(f.loss).front();
        QVERIFY(marker->isVisible()); // kept, faded, so it can be clicked back
        QVERIFY(marker->labelBrush().color().alphaF() < 0.5);
        QVERIFY(!f.view->explorer()->nearestPoint(f.at({6, 64}, f.loss)).series); // not hovered
        QTest::mouseClick(f.view->viewport(), Qt::LeftButton, {}, first);
        QTRY_VERIFY(f.loss->isVisible());
    }

    void dragZoomsAndDoubleClickResets() {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(f.view));
        const QPoint from = f.at({2, 800}, f.loss), to = f.at({4, 200}, f.loss);
        QTest::mousePress(f.view->viewport(), Qt::LeftButton, {}, from);
        QTest::mouseMove(f.view->viewport(), to);
        QTest::mouseRelease(f.view->viewport(), Qt::LeftButton, {}, to);
        QVERIFY(f.view->explorer()->isZoomed());
        QVERIFY2(std::abs(f.x->min() - 2) < 0.1 && std::abs(f.x->max() - 4) < 0.1,
                 qPrintable(QString("%1…%2").arg(f.x->min()).arg(f.x->max())));
        // The right button opens the menu; it must not zoom out as QChartView would.
        QTest::mouseRelease(f.view->viewport(), Qt::RightButton, {}, to);
        QVERIFY(std::abs(f.x->max() - 4) < 0.1);
        QTest::mouseDClick(f.view->viewport(), Qt::LeftButton, {}, to);
        QVERIFY(!f.view->explorer()->isZoomed());
        QCOMPARE(f.x->min(), 0.0);
        QCOMPARE(f.x->max(), 10.0);
    }

    void wheelZoomsAboutTheCursor() {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(f.view));
        const QPoint p = f.at({8, 300}, f.loss);
        QWheelEvent wheel(p, f.view->viewport()->mapToGlobal(p), {}, {0, 120}, Qt::NoButton, {},
                          Qt::NoScrollPhase, false);
        QApplication::sendEvent(f.view->viewport(), &wheel);
        QVERIFY(f.x->max() - f.x->min() < 9.0);
        QVERIFY(f.x->min() < 8 && f.x->max() > 8);           // the cursor's x stays in view
        QVERIFY(std::abs(f.x->min() - 8 * (1 - 0.8)) < 0.2); // 8 stays where it was drawn
    }

    void logYForPositiveDataOnly() {
        Fixture f;
        QVERIFY(QTest::qWaitForWindowExposed(f.view));
        ChartExplorer* e = f.view->explorer();
        QVERIFY(e->canUseLogY());
        QTest::failOnWarning(QRegularExpression("Logarithm"));
        e->setLogY(true);
        QVERIFY(e->isLogY());
        auto* log = qobject_cast<QLogValueAxis*>(f.loss->attachedAxes().back());
        QVERIFY(log);
        QVERIFY(log->isVisible() && !f.y->isVisible());
        QCOMPARE(log->min(), 1.0); // 2^0 = 1 is a whole decade
        QCOMPARE(log->max(), 1e4); // 1024 lies below 10^4
        QVERIFY(!f.view->grab().isNull());
        // A zero arrives: a log axis has no place for it, so the chart goes back to linear
        // (Qt warns about the one layout it makes before the switch).
        QTest::ignoreMessage(QtWarningMsg, "Logarithms of zero and negative values are undefined.");
        f.loss->replace(0, QPointF(0, 0));
        QVERIFY(!e->isLogY());
        QVERIFY(f.y->isVisible());
        QVERIFY(f.loss->attachedAxes().contains(f.y));
        QVERIFY(!e->canUseLogY());
        QVERIFY(!f.view->grab().isNull());
    }
};

QTEST_MAIN(TestChartExplorer)
#include "tst_chart_explorer.moc"
