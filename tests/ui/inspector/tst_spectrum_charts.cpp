// SpectrumCharts: the σ series holds (k, σₖ) for the nonzero values (a log axis cannot show
// 0), the energy series the cumulative shares from (0, 0) to (n, 1), and the cut line sits at
// the kept rank or is gone without one.
#include "inspector/spectrum_charts.h"

#include <QLineSeries>
#include <QtTest>

class TestSpectrumCharts : public QObject {
    Q_OBJECT
private slots:
    void series() {
        SpectrumCharts c;
        c.setSpectrum("q", {4, 2, 1, 0}, 2);
        QCOMPARE(c.sigmaSeries()->points(),
                 (QList<QPointF>{{1, 4}, {2, 2}, {3, 1}})); // the exact zero is left out
        const QList<QPointF> energy = c.energySeries()->points();
        QCOMPARE(energy.size(), 5);
        QCOMPARE(energy[0], QPointF(0, 0));
        QCOMPARE(energy[1].y(), 16.0 / 21);
        QCOMPARE(energy[2].y(), 20.0 / 21);
        QCOMPARE(energy[3].y(), 1.0);
        QCOMPARE(energy[4].y(), 1.0);

        c.setSpectrum("v", {3}, 0); // another module replaces the points; no cut
        QCOMPARE(c.sigmaSeries()->points(), (QList<QPointF>{{1, 3}}));
        QCOMPARE(c.energySeries()->points().size(), 2);
        c.clear();
        QVERIFY(c.sigmaSeries()->points().isEmpty());
    }
};

QTEST_MAIN(TestSpectrumCharts)
#include "tst_spectrum_charts.moc"
