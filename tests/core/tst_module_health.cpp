// Module health verdicts on constructed spectra: one row per verdict, each at a spectrum
// chosen on its side of the thresholds module_health.cpp justifies, with the exact line.
#include "linalg/module_health.h"

#include <QtTest>
#include <cmath>

using namespace lora;

namespace {

ModuleSpectrum spectrumOf(std::vector<double> sigma, bool available = true) {
    ModuleSpectrum s;
    s.available = available;
    s.singularValues = std::move(sigma);
    double total = 0;
    for (double x : s.singularValues) total += x * x;
    s.deltaNorm = std::sqrt(total);
    if (total > 0) {
        double h = 0;
        for (double x : s.singularValues)
            if (x > 0) h -= x * x / total * std::log(x * x / total);
        s.effectiveRank = std::exp(h);
    }
    return s;
}

} // namespace

class TestModuleHealth : public QObject {
    Q_OBJECT
private slots:
    void verdict_data() {
        QTest::addColumn<QList<double>>("sigma");
        QTest::addColumn<int>("rank");
        QTest::addColumn<bool>("available");
        QTest::addColumn<int>("verdict");
        QTest::addColumn<QString>("text");
        using H = HealthVerdict;
        QTest::newRow("not available") << QList<double>{} << 4 << false << int(H::NeedsBase)
                                       << "needs the base: the file alone does not give ΔW";
        QTest::newRow("zero") << QList<double>{0, 0, 0, 0} << 4 << true << int(H::Zero)
                              << "ΔW is zero: this module changes nothing";
        // σ₂/σ₁ = 0.05: 99.75 % of the energy in σ₁.
        QTest::newRow("near rank 1")
            << QList<double>{1, 0.05, 0.01, 0} << 4 << true << int(H::NearRankOne)
            << "near rank 1: σ₂/σ₁ 0.05, effective rank 1.02 of r 4";
        // σ₁² = 9 of 9 + 4·1 = 13 → 69 %; effective rank exp(0.255 + 4·0.197) = 2.84 > 1.5.
        QTest::newRow("one dominant")
            << QList<double>{3, 1, 1, 1, 1} << 8 << true << int(H::OneDominant)
            << "one dominant direction: σ₁ holds 69 % of ‖ΔW‖², "
               "effective rank 2.84 of r 8";
        // Two equal directions of r 8: 99 % in 2 ≤ 4 directions, σ₁ holds just under 50 %.
        QTest::newRow("rank mostly unused")
            << QList<double>{1, 1, 0.01, 0, 0, 0, 0, 0} << 8 << true << int(H::RankMostlyUnused)
            << "rank mostly unused: 99 % of ‖ΔW‖² in 2 directions, effective rank 2.00 of r 8";
        QTest::newRow("healthy") << QList<double>{1, 0.9, 0.8, 0.7} << 4 << true << int(H::Healthy)
                                 << "healthy: 99 % of ‖ΔW‖² needs 4 directions, effective rank "
                                    "3.87 of r 4";
        // At r 2 σ₁ always holds ≥ 50 %: that alone is no verdict.
        QTest::newRow("rank 2, not dominant")
            << QList<double>{1, 0.8} << 2 << true << int(H::Healthy)
            << "healthy: 99 % of ‖ΔW‖² needs 2 directions, effective rank 1.95 of r 2";
        QTest::newRow("rank 1 by design") << QList<double>{2} << 1 << true << int(H::Healthy)
                                          << "healthy: 99 % of ‖ΔW‖² needs 1 directions, "
                                             "effective rank 1.00 of r 1";
    }
    void verdict() {
        QFETCH(QList<double>, sigma);
        QFETCH(int, rank);
        QFETCH(bool, available);
        QFETCH(int, verdict);
        QFETCH(QString, text);
        const ModuleHealth h =
            moduleHealth(spectrumOf({sigma.begin(), sigma.end()}, available), rank);
        QCOMPARE(QString::fromStdString(h.text), text);
        QCOMPARE(int(h.verdict), verdict);
        QVERIFY(QString::fromStdString(h.text).startsWith(toString(h.verdict)));
    }
};

QTEST_GUILESS_MAIN(TestModuleHealth)
#include "tst_module_health.moc"
