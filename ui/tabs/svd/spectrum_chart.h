#pragma once
// The Rank & SVD panel's singular-value spectrum: σᵢ on a log axis, the kept σ₁…σ_r and the
// dropped rest as two lines, and a dashed cut at r.
#include "widgets/chart_view.h"

#include <Eigen/Core>

class QLineSeries;
class QLogValueAxis;
class QValueAxis;

class SpectrumChart : public ChartView {
    Q_OBJECT
public:
    explicit SpectrumChart(QWidget* parent = nullptr);

    // k = min(m, n) values of the matrix `name`; sigma null while its SVD is computing.
    void showSpectrum(const Eigen::VectorXd* sigma, int k, int rank, const QString& name);

private:
    QLineSeries *m_kept, *m_dropped, *m_cut;
    QValueAxis* m_x;
    QLogValueAxis* m_y;
};
