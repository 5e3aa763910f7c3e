// SweepTab: the Run button parses the rank and alpha lists (exact one-line messages for bad
// ones, no request), points fill the table and the three charts, the progress bar counts
// runs to 100 % with an ETA from the mean run time, and clear/setRunning work.
#include "tabs/sweep/sweep_tab.h"
#include "widgets/chart_view.h"
#include "widgets/duration_text.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QtTest>

using Ranks = std::vector<int>;
using Alphas = std::vector<float>;
Q_DECLARE_METATYPE(Ranks)
Q_DECLARE_METATYPE(Alphas)

namespace {

SweepPoint point(int runId, bool rankAxis, int rank, float alpha, float accuracy) {
    return {runId, rankAxis, rank, alpha, long(rank) * 914, accuracy, 1.5 * rank};
}

const QXYSeries* seriesOf(const SweepTab& panel, const char* chart) {
    const auto* view = panel.findChild<ChartView*>(QLatin1String(chart));
    return view ? qobject_cast<const QXYSeries*>(view->chart()->series().constFirst()) : nullptr;
}

} // namespace

class TestSweepTab : public QObject {
    Q_OBJECT
private slots:
    void defaults() {
        SweepTab panel;
        QCOMPARE(panel.findChild<QLineEdit*>("ranksEdit")->text(), QString("1,2,4,8,16"));
        QCOMPARE(panel.findChild<QLineEdit*>("alphasEdit")->text(), QString("0.5,1,2,4,8"));
        QCOMPARE(panel.ranks(), (Ranks{1, 2, 4, 8, 16}));
        QCOMPARE(panel.alphas(), (Alphas{0.5f, 1, 2, 4, 8}));
        QCOMPARE(panel.pointCount(), 0);
    }

    void goodLists_data() {
        QTest::addColumn<QString>("ranks");
        QTest::addColumn<QString>("alphas");
        QTest::addColumn<Ranks>("parsedRanks");
        QTest::addColumn<Alphas>("parsedAlphas");
        QTest::newRow("defaults") << "1,2,4,8,16"
                                  << "0.5,1,2,4,8" << Ranks{1, 2, 4, 8, 16}
                                  << Alphas{0.5f, 1, 2, 4, 8};
        QTest::newRow("spaces") << " 4 , 64 "
                                << "1  2.5" << Ranks{4, 64} << Alphas{1, 2.5f};
        QTest::newRow("one each") << "1"
                                  << "1024" << Ranks{1} << Alphas{1024};
        QTest::newRow("unsorted") << "8,1"
                                  << "1e-3,3" << Ranks{8, 1} << Alphas{0.001f, 3};
    }
    void goodLists() {
        QFETCH(QString, ranks);
        QFETCH(QString, alphas);
        QFETCH(Ranks, parsedRanks);
        QFETCH(Alphas, parsedAlphas);
        SweepTab panel;
        panel.setLists(ranks, alphas);
        QSignalSpy requested(&panel, &SweepTab::sweepRequested);
        QSignalSpy invalid(&panel, &SweepTab::invalidInput);
        QTest::mouseClick(panel.findChild<QPushButton*>("runButton"), Qt::LeftButton);
        QCOMPARE(invalid.count(), 0);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.at(0).at(0).value<Ranks>(), parsedRanks);
        QCOMPARE(requested.at(0).at(1).value<Alphas>(), parsedAlphas);
    }

    void badLists_data() {
        QTest::addColumn<QString>("ranks");
        QTest::addColumn<QString>("alphas");
        QTest::addColumn<QString>("message");
        const QString ok = "1,2";
        QTest::newRow("rank word") << "1,x" << ok << "ranks: 'x' is not a whole number 1…64";
        QTest::newRow("rank 0") << "0" << ok << "ranks: '0' is not a whole number 1…64";
        QTest::newRow("rank 65") << "65" << ok << "ranks: '65' is not a whole number 1…64";
        QTest::newRow("rank 2.5") << "2.5" << ok << "ranks: '2.5' is not a whole number 1…64";
        QTest::newRow("no ranks") << " , " << ok << "ranks: give at least one value";
        QTest::newRow("rank twice") << "4,8,4" << ok << "ranks: '4' is listed twice";
        QTest::newRow("alpha 0") << ok << "0"
                                 << "alphas: '0' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha negative") << ok << "1,-2"
                                        << "alphas: '-2' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha too big") << ok << "2048"
                                       << "alphas: '2048' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha inf") << ok << "inf"
                                   << "alphas: 'inf' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha nan") << ok << "nan"
                                   << "alphas: 'nan' is not a number > 0 and ≤ 1024";
        QTest::newRow("alpha word") << ok << "one"
                                    << "alphas: 'one' is not a number > 0 and ≤ 1024";
        QTest::newRow("no alphas") << ok << ""
                                   << "alphas: give at least one value";
        QTest::newRow("alpha twice") << ok << "2,2.0"
                                     << "alphas: '2.0' is listed twice";
    }
    void badLists() {
        QFETCH(QString, ranks);
        QFETCH(QString, alphas);
        QFETCH(QString, message);
        SweepTab panel;
        panel.setLists(ranks, alphas);
        QSignalSpy requested(&panel, &SweepTab::sweepRequested);
        QSignalSpy invalid(&panel, &SweepTab::invalidInput);
        QTest::mouseClick(panel.findChild<QPushButton*>("runButton"), Qt::LeftButton);
        QCOMPARE(requested.count(), 0);
        QCOMPARE(invalid.count(), 1);
        QCOMPARE(invalid.at(0).at(0).toString(), message);
    }

    void pointsFillTableAndCharts() {
        SweepTab panel;
        auto* table = panel.findChild<QTableWidget*>("sweepTable");
        const float accuracies[] = {97.1f, 98.0f, 98.6f, 98.9f, 98.8f};
        const int ranks[] = {1, 2, 4, 8, 16};
        for (int i = 0; i < 5; ++i) {
            panel.addPoint(point(3, true, ranks[i], 1.0f, accuracies[i]));
            QCOMPARE(panel.pointCount(), i + 1);
            QCOMPARE(table->rowCount(), i + 1);
            QCOMPARE(seriesOf(panel, "rankChart")->count(), i + 1);
            QCOMPARE(seriesOf(panel, "paramsChart")->count(), i + 1);
            QCOMPARE(seriesOf(panel, "alphaChart")->count(), 0);
        }
        QCOMPARE(table->item(2, 0)->text(), QString("4"));
        QCOMPARE(table->item(2, 1)->text(), QString("1"));
        QCOMPARE(table->item(2, 2)->text(), QString("3,656"));
        QCOMPARE(table->item(2, 3)->text(), QString("98.60"));
        QCOMPARE(table->item(2, 4)->text(), QString("6.0"));
        QCOMPARE(seriesOf(panel, "paramsChart")->at(2), QPointF(3656, 98.6f));

        // Alpha points arrive out of order and are drawn sorted by α.
        panel.addPoint(point(3, false, 4, 8.0f, 98.2f));
        panel.addPoint(point(3, false, 4, 0.5f, 97.5f));
        QCOMPARE(table->rowCount(), 7);
        QCOMPARE(table->item(6, 1)->text(), QString("0.5"));
        const QXYSeries* alpha = seriesOf(panel, "alphaChart");
        QCOMPARE(alpha->count(), 2);
        QCOMPARE(alpha->at(0).x(), 0.5);
        QCOMPARE(alpha->at(1).x(), 8.0);
        QCOMPARE(seriesOf(panel, "rankChart")->count(), 5);

        panel.sweepFinished(3, false);
        QVERIFY(panel.findChild<QLabel*>("statusLabel")->text().startsWith("Sweep finished: 7"));
        panel.clear();
        QCOMPARE(panel.pointCount(), 0);
        QCOMPARE(table->rowCount(), 0);
        for (const char* chart : {"rankChart", "paramsChart", "alphaChart"})
            QCOMPARE(seriesOf(panel, chart)->count(), 0);
    }

    // A point from a new sweep starts over instead of mixing two sweeps' curves.
    void newSweepReplacesOld() {
        SweepTab panel;
        panel.addPoint(point(1, true, 1, 1.0f, 97.0f));
        panel.addPoint(point(1, true, 2, 1.0f, 98.0f));
        panel.addPoint(point(2, true, 1, 1.0f, 96.0f));
        QCOMPARE(panel.pointCount(), 1);
        QCOMPARE(panel.findChild<QTableWidget*>("sweepTable")->rowCount(), 1);
        panel.sweepFinished(1, true); // the old sweep's late notice changes nothing
        QVERIFY(panel.findChild<QLabel*>("statusLabel")->text().startsWith("Sweep running"));
        panel.sweepFinished(2, true);
        QVERIFY(panel.findChild<QLabel*>("statusLabel")->text().startsWith("Sweep stopped"));
    }

    // Ranks 1, 2, 4 and alphas 1, 2 (five runs) as the Run button asks for them; each run's
    // seconds are 1.5 × its rank, so the ETA after k runs is their mean × (5 − k).
    void progressReachesFullAndEtaUpdates_data() {
        QTest::addColumn<bool>("stopped");
        QTest::newRow("finished") << false;
        QTest::newRow("stopped after four") << true;
    }
    void progressReachesFullAndEtaUpdates() {
        QFETCH(bool, stopped);
        SweepTab panel;
        panel.setLists("1,2,4", "1,2");
        QSignalSpy requested(&panel, &SweepTab::sweepRequested);
        // As the main window does: it clears the tab inside the request, then starts.
        connect(&panel, &SweepTab::sweepRequested, &panel, [&panel] { panel.clear(); });
        QTest::mouseClick(panel.findChild<QPushButton*>("runButton"), Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(panel.expectedCount(), 5);
        auto* bar = panel.findChild<QProgressBar*>("sweepProgress");
        auto* eta = panel.findChild<QLabel*>("etaLabel");
        QVERIFY(bar && eta);
        QCOMPARE(bar->maximum(), 5);
        QCOMPARE(bar->value(), 0);
        const SweepPoint points[] = {point(7, true, 1, 1, 97), point(7, true, 2, 1, 98),
                                     point(7, true, 4, 1, 98.5f), point(7, false, 4, 1, 98.4f),
                                     point(7, false, 4, 2, 98.6f)};
        const int runs = stopped ? 4 : 5;
        double seconds = 0;
        QStringList etas;
        for (int k = 1; k <= runs; ++k) {
            QElapsedTimer clock;
            clock.start();
            panel.addPoint(points[k - 1]);
            const QString text = eta->text();
            const qint64 waited = clock.elapsed(); // the label counts down from the point on
            seconds += points[k - 1].seconds;
            QCOMPARE(bar->value(), k);
            QCOMPARE(bar->maximum(), 5);
            const double expected = seconds / k * (5 - k);
            QCOMPARE(panel.etaSeconds(), expected);
            QStringList allowed;
            for (qint64 ms = 0; ms <= waited + 1; ++ms)
                allowed << "ETA " + durationText(std::max(0.0, expected - ms / 1000.0));
            QVERIFY2(allowed.contains(text),
                     qPrintable(text + " for " + QString::number(expected)));
            etas << text;
        }
        QVERIFY2(etas.at(0).startsWith("ETA 6.0 s") || etas.at(0).startsWith("ETA 5.9 s"),
                 qPrintable(etas.at(0))); // 1.5 s × 4 runs to go
        QVERIFY(etas.at(1) != etas.at(0));
        panel.sweepFinished(7, stopped);
        QCOMPARE(bar->value(), runs);
        if (!stopped) {
            QCOMPARE(bar->text(), QString("5 of 5 runs (100 %)"));
            QCOMPARE(eta->text(), QString("done"));
        } else {
            QCOMPARE(bar->text(), QString("4 of 5 runs (80 %)"));
            QVERIFY(eta->text().isEmpty());
        }
    }

    // A reopened session replays a finished sweep without the count once asked for.
    void replayedSweepIsWhole() {
        SweepTab panel;
        panel.addPoint(point(2, true, 1, 1, 97));
        panel.addPoint(point(2, true, 2, 1, 98));
        auto* bar = panel.findChild<QProgressBar*>("sweepProgress");
        QVERIFY(std::isnan(panel.etaSeconds()));
        QVERIFY(panel.findChild<QLabel*>("etaLabel")->text().isEmpty());
        panel.sweepFinished(2, false);
        QCOMPARE(bar->value(), 2);
        QCOMPARE(bar->maximum(), 2);
    }

    void runningDisablesRun() {
        SweepTab panel;
        auto* run = panel.findChild<QPushButton*>("runButton");
        QVERIFY(run->isEnabled());
        panel.setRunning(true);
        QVERIFY(!run->isEnabled());
        QSignalSpy requested(&panel, &SweepTab::sweepRequested);
        QTest::mouseClick(run, Qt::LeftButton);
        QCOMPARE(requested.count(), 0);
        panel.setRunning(false);
        QVERIFY(run->isEnabled());
    }
};

QTEST_MAIN(TestSweepTab)
#include "tst_sweep_tab.moc"
