#pragma once
// Panel 1, "Rank & SVD": a matrix (any layer's W, the current ΔW = s·BA, or a seed example)
// as heatmaps W | W_r | W − W_r on one colour scale, its singular-value spectrum (log y)
// with the cut at r, and numerical rank, relative error and energy kept. The SVD runs once
// per matrix off the GUI thread; the rank slider then only moves a RankSweep. The seed-002
// view trains B A ≈ W by gradient descent and draws its loss onto the SVD optimum line.
#include "run_types.h"

#include <QFutureWatcher>
#include <QList>
#include <QPointF>
#include <QWidget>
#include <memory>
#include <stop_token>

class QComboBox;
class QLabel;
class QLineSeries;
class QLogValueAxis;
class QPushButton;
class QValueAxis;
class HeatmapWidget;
class ChartView;

namespace lora {
class TruncatedSvd;
class RankSweep;
} // namespace lora

class SvdPanel : public QWidget {
    Q_OBJECT
public:
    explicit SvdPanel(QWidget* parent = nullptr);
    ~SvdPanel() override;

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
    struct Decomposition; // one matrix's SVD and rank sweep, shared with render jobs
    struct Rendering;     // W_r and W − W_r at one rank, computed off the GUI thread
    struct GdJob;         // a finished (or failed) gradient-descent run
    using DecompositionPtr = std::shared_ptr<Decomposition>;
    using RenderingPtr = std::shared_ptr<Rendering>;
    using GdJobPtr = std::shared_ptr<GdJob>;

    void buildCharts();
    void rebuildEntries();
    void onSelectionChanged();
    ModelPtr sourceOf(const QString& name) const; // the snapshot a matrix comes from
    QSize shapeOf(const QString& name) const;     // width = columns, height = rows
    void startDecomposition();
    void onDecompositionFinished();
    static RenderingPtr renderAt(Decomposition& d, int rank);
    void startRendering();
    void onRenderingFinished();
    void showRendering(const Rendering& rendering);
    void clampRank();
    void updateLabels();
    void updateSpectrum();
    void appendGdPoints(int generation, const QList<QPointF>& points);
    void onGradientDescentFinished();

    ModelPtr m_base, m_adapted;
    int m_rank = 4;
    int m_requestedRank = 4; // what setRank asked for; m_rank is it clamped to the matrix
    int m_rows = 0, m_cols = 0;
    bool m_userPicked = false; // a chosen matrix survives new models; the default follows them
    QString m_shownName;
    ModelPtr m_shownSource;           // held, so a new snapshot can never reuse its address
    int m_generation = 0;             // of the matrix shown; older jobs' results are dropped
    DecompositionPtr m_decomposition; // null until the shown matrix's SVD is ready
    bool m_rendering = false;         // render jobs share the RankSweep: one at a time
    int m_renderedRank = -1;

    QComboBox* m_combo = nullptr;
    QLabel* m_status = nullptr;
    QLabel *m_shapeLabel = nullptr, *m_rankLabel = nullptr, *m_errorLabel = nullptr;
    QLabel *m_energyLabel = nullptr, *m_paramsLabel = nullptr;
    HeatmapWidget *m_wMap = nullptr, *m_approxMap = nullptr, *m_diffMap = nullptr;
    QFutureWatcher<DecompositionPtr>* m_svdWatcher = nullptr;
    QFutureWatcher<RenderingPtr>* m_renderWatcher = nullptr;

    ChartView* m_spectrumChart = nullptr;
    QLineSeries *m_keptSeries = nullptr, *m_droppedSeries = nullptr, *m_cutSeries = nullptr;
    QValueAxis* m_spectrumX = nullptr;
    QLogValueAxis* m_spectrumY = nullptr;

    QPushButton* m_gdButton = nullptr;
    QLabel* m_gdStatus = nullptr;
    ChartView* m_gdChart = nullptr;
    QLineSeries *m_gdSeries = nullptr, *m_gdOptimumSeries = nullptr;
    QValueAxis *m_gdX = nullptr, *m_gdY = nullptr;
    QFutureWatcher<GdJobPtr>* m_gdWatcher = nullptr;
    std::stop_source m_gdStop;
    int m_gdGeneration = 0;
    QList<QPointF> m_gdPoints;
};
