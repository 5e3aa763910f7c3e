// Seed 002's gradient descent in the Rank & SVD panel (GradientDescentSection through
// SvdTab): it reaches the SVD optimum, runs on the matrix selected (not a stand-in seed), is
// emptied when another matrix is chosen, and its button stops a run.
#include "linalg/gd_approximation.h"
#include "linalg/truncated_svd.h"
#include "tabs/svd/gradient_descent_section.h"
#include "tabs/svd/svd_tab.h"
#include "widgets/chart_view.h"

#include "seed_base.h"
#include "svd_tab_waits.h"

#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QtTest>
#include <cmath>

using namespace lora;

using lora::test::selectAndWait;
using lora::test::waitReady;

namespace {

constexpr int kTimeoutMs = lora::test::kSvdTimeoutMs;

// Seed 000's base, as a snapshot the panel can hold.
std::shared_ptr<Mlp> trainedBase() {
    return std::make_shared<Mlp>(lora::test::trainedSeedBase());
}

} // namespace

class TestGradientDescentSection : public QObject {
    Q_OBJECT
private:
    std::shared_ptr<Mlp> m_base;

private slots:
    void initTestCase() { m_base = trainedBase(); }

    void gradientDescentReachesTheSvdOptimum() {
        SvdTab panel;
        QVERIFY(waitReady(panel));
        panel.setRank(2);
        QSignalSpy finished(&panel, &SvdTab::gradientDescentFinished);
        auto* button = panel.findChild<QPushButton*>("gdButton");
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(button->text(), QString("Stop gradient descent"));
        QVERIFY(finished.wait(kTimeoutMs));
        QCOMPARE(button->text(), QString("Run gradient descent"));
        const double gd = finished.at(0).at(0).toDouble(), svd = finished.at(0).at(1).toDouble();
        QVERIFY2(gd <= svd * 1.01 && gd >= svd * (1 - 1e-5),
                 qPrintable(QString("gd %1 svd %2").arg(gd).arg(svd)));
        Rng rng(0);
        const Matrix w = gaussianMatrix(8, 8, rng);
        QVERIFY(std::abs(svd - std::pow(TruncatedSvd(w).error(2).frobenius, 2) / 64) < 1e-9);
        auto* chart = panel.findChild<ChartView*>("gdChart");
        const auto* curve = qobject_cast<QLineSeries*>(chart->chart()->series().at(0));
        QCOMPARE(curve->count(), 1001); // loss before step 1 and after each of 1000 steps
    }

    // The run is on the matrix shown (fc1 W, 64×784), not on a seed: its optimum is fc1's.
    void gradientDescentRunsOnTheSelectedMatrix() {
        SvdTab panel;
        panel.setModels(m_base, nullptr);
        QVERIFY(selectAndWait(panel, "fc1 W"));
        panel.setRank(3);
        QSignalSpy finished(&panel, &SvdTab::gradientDescentFinished);
        QTest::mouseClick(panel.findChild<QPushButton*>("gdButton"), Qt::LeftButton);
        QVERIFY(finished.wait(kTimeoutMs));
        const Matrix& w = m_base->layer(0).W;
        const double svd = std::pow(TruncatedSvd(w).error(3).frobenius, 2) / double(w.size());
        QVERIFY2(std::abs(finished.at(0).at(1).toDouble() - svd) < 1e-9 * svd,
                 qPrintable(QString("%1 vs %2").arg(finished.at(0).at(1).toDouble()).arg(svd)));
        auto* chart = panel.findChild<ChartView*>("gdChart");
        QCOMPARE(chart->chart()->title(), QString("Gradient descent on fc1 W at rank 3"));
        const auto* curve = qobject_cast<QLineSeries*>(chart->chart()->series().at(0));
        QCOMPARE(curve->count(), 1001);
        QCOMPARE(curve->at(0).y(), w.cast<double>().squaredNorm() / double(w.size()));
    }

    // Another matrix empties the chart: the old curve must not read as the new matrix's.
    void selectingAnotherMatrixClearsTheRun() {
        SvdTab panel;
        QVERIFY(waitReady(panel));
        QSignalSpy finished(&panel, &SvdTab::gradientDescentFinished);
        panel.runGradientDescent();
        QVERIFY(finished.wait(kTimeoutMs));
        QVERIFY(selectAndWait(panel, "seed: rank2"));
        auto* chart = panel.findChild<ChartView*>("gdChart");
        for (QAbstractSeries* s : chart->chart()->series())
            QCOMPARE(qobject_cast<QLineSeries*>(s)->count(), 0);
        QCOMPARE(chart->chart()->title(), QString("Gradient descent on seed: rank2"));
    }

    // While it runs the button stops it; the status says where it stopped.
    void theButtonStopsARun() {
        SvdTab panel;
        panel.setModels(m_base, nullptr);
        QVERIFY(selectAndWait(panel, "fc1 W"));
        panel.setRank(40);
        auto* button = panel.findChild<QPushButton*>("gdButton");
        QTest::mouseClick(button, Qt::LeftButton);
        QCOMPARE(button->text(), QString("Stop gradient descent"));
        QTest::mouseClick(button, Qt::LeftButton);
        auto* status = panel.findChild<QLabel*>("gdStatusLabel");
        QTRY_VERIFY_WITH_TIMEOUT(status->text().startsWith("stopped after step"), kTimeoutMs);
        QCOMPARE(button->text(), QString("Run gradient descent"));
        const int steps = status->text().section(' ', 3, 3).chopped(1).toInt();
        QVERIFY2(steps < GradientDescentSection::kSteps, qPrintable(status->text()));
    }
};

QTEST_MAIN(TestGradientDescentSection)
#include "tst_gradient_descent_section.moc"
