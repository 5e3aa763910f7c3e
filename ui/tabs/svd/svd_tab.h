#pragma once
// Panel 1, "Rank & SVD": a matrix (any layer's W, the current ΔW = s·BA, or a seed example)
// as heatmaps W | W_r | W − W_r on one colour scale, its singular-value spectrum (log y)
// with the cut at r, and numerical rank, relative error and energy kept. The SVD runs once
// per matrix off the GUI thread; the rank slider then only moves a RankSweep. The seed-002
// view trains B A ≈ W by gradient descent and draws its loss onto the SVD optimum line.
//
// This class picks the matrix, runs its SVD and shows the numbers; the pictures are its
// parts: ApproximationSection (heatmaps), SpectrumChart and GradientDescentSection.
#include "session/run_types.h"
#include "tabs/svd/svd_decomposition.h"

#include <QFutureWatcher>
#include <QWidget>
#include <vector>

class QComboBox;
class QLabel;
class QSlider;
class ApproximationSection;
class GradientDescentSection;
class SpectrumChart;

class SvdTab : public QWidget {
    Q_OBJECT
public:
    explicit SvdTab(QWidget* parent = nullptr);
    ~SvdTab() override;

    int rank() const { return m_rank; }
    QString matrixName() const; // the selected source, e.g. "fc1 W", "fc1 ΔW", "seed: rank1"
    // After the current decomposition finished (for tests and screenshots).
    bool isReady() const;
    double relativeError() const; // at rank(), of the displayed matrix
    double energyKept() const;
    int numericalRank() const;

public slots:
    // base: its layers' W; adapted: base + adapter, for ΔW. Either may be null.
    void setModels(ModelPtr base, ModelPtr adapted);
    void setRank(int rank);                 // clamped to 0…min(m, n) of the matrix shown
    void selectMatrix(const QString& name); // one of the combo's entries
    void runGradientDescent();              // the seed-002 view

signals:
    void decompositionReady(); // the SVD of a newly selected matrix is available
    void gradientDescentFinished(double gdLoss, double svdLoss);

private:
    void rebuildEntries();
    void onSelectionChanged();
    ModelPtr sourceOf(const QString& name) const; // the snapshot a matrix comes from
    QSize shapeOf(const QString& name) const;     // width = columns, height = rows
    void startDecomposition();
    void onDecompositionFinished();
    void clampRank(); // also moves the panel's own rank slider, ranged 0…min(m, n)
    QString paramsText(int rank) const;
    QString rankText(int numericalRank, int maxRank) const;
    QString errorText(int rank, double relative) const;
    QString energyText(double energy) const;
    void reserveLabelWidths();
    void updateLabels();
    void updateSpectrum();

    ModelPtr m_base, m_adapted;
    int m_rank = 4;
    int m_requestedRank = 4; // what setRank asked for; m_rank is it clamped to the matrix
    int m_rows = 0, m_cols = 0;
    bool m_userPicked = false; // a chosen matrix survives new models; the default follows them
    QString m_shownName;
    ModelPtr m_shownSource;              // held, so a new snapshot can never reuse its address
    int m_generation = 0;                // of the matrix shown; older jobs' results are dropped
    SvdDecompositionPtr m_decomposition; // null until the shown matrix's SVD is ready

    QComboBox* m_combo = nullptr;
    QSlider* m_rankSlider = nullptr; // log-spaced notches over 0…min(m, n) of the matrix shown
    std::vector<int> m_rankSteps;
    QLabel* m_status = nullptr;
    QLabel *m_shapeLabel = nullptr, *m_rankLabel = nullptr, *m_errorLabel = nullptr;
    QLabel *m_energyLabel = nullptr, *m_paramsLabel = nullptr;
    ApproximationSection* m_maps = nullptr;
    SpectrumChart* m_spectrum = nullptr;
    GradientDescentSection* m_gd = nullptr;
    QFutureWatcher<SvdDecompositionPtr>* m_svdWatcher = nullptr;
};
