#pragma once
// The selected module's spectrum: its singular values σ₁ ≥ σ₂ ≥ … on a log scale, and the
// cumulative share of ‖ΔW‖_F² its first k directions hold, with the preview's cut r′ marked.
#include <QWidget>
#include <vector>

class ChartView;
class QLineSeries;
class QScatterSeries;
class QValueAxis;
class QLogValueAxis;

class SpectrumCharts : public QWidget {
    Q_OBJECT
public:
    explicit SpectrumCharts(QWidget* parent = nullptr);

    // sigma descending; `cut`: the preview's kept rank (0: none).
    void setSpectrum(const QString& title, const std::vector<double>& sigma, int cut);
    void clear();
    QLineSeries* sigmaSeries() const { return m_sigma; }
    QLineSeries* energySeries() const { return m_energy; }

private:
    ChartView* m_sigmaView = nullptr;
    ChartView* m_energyView = nullptr;
    QLineSeries* m_sigma = nullptr;
    QScatterSeries* m_sigmaPoints = nullptr;
    QLineSeries* m_energy = nullptr;
    QLineSeries* m_cut = nullptr;
    QValueAxis* m_sigmaX = nullptr;
    QLogValueAxis* m_sigmaY = nullptr;
    QValueAxis* m_energyX = nullptr;
};
