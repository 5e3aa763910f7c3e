#include "svd_panel.h"

#include "background_pool.h"
#include "chart_view.h"
#include "heatmap_widget.h"
#include "linalg/gd_approximation.h"
#include "linalg/rank.h"
#include "linalg/truncated_svd.h"
#include "util/rng.h"

#include <QChart>
#include <QComboBox>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QPushButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

namespace {

const QString kSeedRank1 = QStringLiteral("seed: rank1");
const QString kSeedRank2 = QStringLiteral("seed: rank2");
const QString kSeedZeros = QStringLiteral("seed: zeros");
const QString kSeedLowRank = QStringLiteral("seed: 10×10 of rank 2");
const QString kSeedGaussian = QStringLiteral("seed: 8×8 Gaussian");
const QString kDeltaSuffix = QStringLiteral(" ΔW");
const QString kWeightSuffix = QStringLiteral(" W");

constexpr int kGdMaxSide = 64; // larger selections fall back to seed 002's 8×8 matrix
constexpr int kGdSteps = 1000;
constexpr float kGdLearningRate = 0.01f;
constexpr int kUiIntervalMs = 33; // ≤ 30 chart updates per second

// Seed 001's demonstration: a 10×2 by 2×10 Gaussian product has rank 2 by construction.
lora::Matrix lowRankSeed() {
    lora::Rng rng(0);
    const lora::Matrix b = lora::gaussianMatrix(10, 2, rng);
    const lora::Matrix a = lora::gaussianMatrix(2, 10, rng);
    return b * a;
}

lora::Matrix gaussianSeed() {
    lora::Rng rng(0);
    return lora::gaussianMatrix(8, 8, rng);
}

int layerOf(const QString& name) { // "fc3 W" -> 2
    return name.section(' ', 0, 0).mid(2).toInt() - 1;
}

// Reads only const snapshots, so it runs on a worker thread as well as on the GUI thread.
lora::Matrix matrixFor(const QString& name, const lora::Mlp* base, const lora::Mlp* adapted) {
    if (name == kSeedRank1) return lora::rankExample("rank1");
    if (name == kSeedRank2) return lora::rankExample("rank2");
    if (name == kSeedZeros) return lora::rankExample("zeros");
    if (name == kSeedLowRank) return lowRankSeed();
    if (name == kSeedGaussian) return gaussianSeed();
    const int layer = layerOf(name);
    if (name.endsWith(kDeltaSuffix)) return adapted->adapter(layer)->delta();
    return (base ? base : adapted)->layer(layer).W;
}

double niceInterval(double span) { // ~6 ticks at 1, 2 or 5 × 10^k
    const double raw = std::max(1.0, span / 6.0);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0})
        if (raw <= m * p) return m * p;
    return 10.0 * p;
}

QString grouped(double v) { // 50,176
    return QLocale().toString(static_cast<qlonglong>(v));
}

} // namespace

struct SvdPanel::Rendering {
    int generation = 0;
    int rank = 0;
    std::shared_ptr<const lora::Matrix> approx; // W_r
    std::shared_ptr<const lora::Matrix> diff;   // W − W_r
};

struct SvdPanel::Decomposition {
    int generation = 0;
    std::unique_ptr<lora::TruncatedSvd> svd; // holds W itself
    std::unique_ptr<lora::RankSweep> sweep;  // used by one render job at a time
    float maxAbs = 0.0f;
    RenderingPtr first; // at the rank asked for when the job started
    QString error;
};

struct SvdPanel::GdJob {
    int generation = 0;
    lora::GdApproxResult result;
    QString error;
};

// Off the GUI thread: moves the sweep to `rank` and snapshots W_r and W − W_r, so the GUI
// thread only block-averages them (a large rank jump costs a GEMM of m·|Δr|·n).
SvdPanel::RenderingPtr SvdPanel::renderAt(Decomposition& d, int rank) {
    auto out = std::make_shared<Rendering>();
    out->generation = d.generation;
    out->rank = rank;
    const lora::Matrix& approx = d.sweep->moveTo(rank);
    out->approx = std::make_shared<const lora::Matrix>(approx);
    out->diff = std::make_shared<const lora::Matrix>(d.svd->matrix() - approx);
    return out;
}

SvdPanel::SvdPanel(QWidget* parent) : QWidget(parent) {
    m_combo = new QComboBox(this);
    m_combo->setObjectName("matrixCombo");
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_status = new QLabel(this);
    m_status->setObjectName("statusLabel");

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Matrix:"), this));
    top->addWidget(m_combo);
    top->addSpacing(12);
    top->addWidget(m_status, 1);

    m_wMap = new HeatmapWidget(this);
    m_wMap->setObjectName("heatmapW");
    m_wMap->setTitle(tr("W"));
    m_approxMap = new HeatmapWidget(this);
    m_approxMap->setObjectName("heatmapApprox");
    m_diffMap = new HeatmapWidget(this);
    m_diffMap->setObjectName("heatmapDiff");
    auto* maps = new QHBoxLayout;
    maps->addWidget(m_wMap);
    maps->addWidget(m_approxMap);
    maps->addWidget(m_diffMap);

    auto makeLabel = [this](const char* name) {
        auto* label = new QLabel(this);
        label->setObjectName(name);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
        // Never squeezed below their text: a clipped "0." reads as a wrong number.
        label->setSizePolicy(QSizePolicy::Minimum, QSizePolicy::Preferred);
        return label;
    };
    m_shapeLabel = makeLabel("shapeLabel");
    m_rankLabel = makeLabel("rankLabel");
    m_errorLabel = makeLabel("errorLabel");
    m_energyLabel = makeLabel("energyLabel");
    m_paramsLabel = makeLabel("paramsLabel");
    auto* facts = new QHBoxLayout;
    facts->setSpacing(18);
    for (QLabel* label : {m_shapeLabel, m_rankLabel, m_errorLabel, m_energyLabel, m_paramsLabel})
        facts->addWidget(label);
    facts->addStretch(1);

    buildCharts();
    m_gdButton = new QPushButton(tr("Run gradient descent"), this);
    m_gdButton->setObjectName("gdButton");
    m_gdButton->setToolTip(tr("Seed 002: learn B A ≈ W (rank max(1, r)) with Adam, lr 0.01, "
                              "1000 steps, and compare with the truncated SVD"));
    m_gdStatus = makeLabel("gdStatusLabel");
    m_gdStatus->setWordWrap(true);
    m_gdStatus->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_gdStatus->setText(tr("B A ≈ W at rank max(1, r): Adam, lr 0.01, 1000 steps"));
    m_gdStatus->setToolTip(
        tr("Matrices over %1×%1 use seed 002's 8×8 Gaussian instead").arg(kGdMaxSide));
    auto* gdBar = new QHBoxLayout;
    gdBar->addWidget(m_gdButton);
    gdBar->addWidget(m_gdStatus, 1);
    auto* gdColumn = new QVBoxLayout;
    gdColumn->addLayout(gdBar);
    gdColumn->addWidget(m_gdChart, 1);
    auto* charts = new QHBoxLayout;
    charts->addWidget(m_spectrumChart, 1);
    charts->addLayout(gdColumn, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(maps, 4);
    layout->addLayout(facts);
    layout->addLayout(charts, 5);

    m_svdWatcher = new QFutureWatcher<DecompositionPtr>(this);
    connect(m_svdWatcher, &QFutureWatcherBase::finished, this, &SvdPanel::onDecompositionFinished);
    m_renderWatcher = new QFutureWatcher<RenderingPtr>(this);
    connect(m_renderWatcher, &QFutureWatcherBase::finished, this, &SvdPanel::onRenderingFinished);
    m_gdWatcher = new QFutureWatcher<GdJobPtr>(this);
    connect(m_gdWatcher, &QFutureWatcherBase::finished, this, &SvdPanel::onGradientDescentFinished);
    connect(m_gdButton, &QPushButton::clicked, this, &SvdPanel::runGradientDescent);
    connect(m_combo, &QComboBox::currentTextChanged, this, [this] {
        m_userPicked = true;
        onSelectionChanged();
    });

    rebuildEntries();
    onSelectionChanged();
}

SvdPanel::~SvdPanel() {
    // The GD worker posts progress to this object, so it must end before we do. SVD and
    // render jobs own what they touch and may finish unobserved.
    m_gdStop.request_stop();
    m_gdWatcher->waitForFinished();
}

QString SvdPanel::matrixName() const {
    return m_combo->currentText();
}

bool SvdPanel::isReady() const {
    return m_decomposition != nullptr;
}

double SvdPanel::relativeError() const {
    return m_decomposition ? m_decomposition->svd->error(m_rank).relative
                           : std::numeric_limits<double>::quiet_NaN();
}

double SvdPanel::energyKept() const {
    return m_decomposition ? m_decomposition->svd->error(m_rank).energy
                           : std::numeric_limits<double>::quiet_NaN();
}

int SvdPanel::numericalRank() const {
    return m_decomposition ? m_decomposition->svd->numericalRank() : -1;
}

void SvdPanel::setModels(ModelPtr base, ModelPtr adapted) {
    m_base = std::move(base);
    m_adapted = std::move(adapted);
    rebuildEntries();
    onSelectionChanged();
}

// Labels and the spectrum answer at once (O(1) per tick); the heatmaps follow as soon as a
// render job is free, skipping ranks the slider passed meanwhile.
void SvdPanel::setRank(int rank) {
    m_requestedRank = std::max(0, rank);
    const int before = m_rank;
    clampRank();
    if (m_rank == before) return;
    updateLabels();
    updateSpectrum();
    if (m_decomposition && !m_rendering) startRendering();
}

void SvdPanel::selectMatrix(const QString& name) {
    const int index = m_combo->findText(name);
    if (index < 0) return;
    m_userPicked = true;
    m_combo->setCurrentIndex(index);
}

// Entries follow the models; the selection survives when its entry still exists and was
// chosen by hand, otherwise it falls back to the default (the base's fc1 W, else seed 002).
void SvdPanel::rebuildEntries() {
    const QString previous = m_combo->currentText();
    QStringList names;
    const lora::Mlp* weights = m_base ? m_base.get() : m_adapted.get();
    if (weights)
        for (int i = 0; i < weights->layerCount(); ++i)
            names << QString::fromStdString(weights->layerName(i)) + kWeightSuffix;
    if (m_adapted)
        for (int i = 0; i < m_adapted->layerCount(); ++i)
            if (m_adapted->adapter(i))
                names << QString::fromStdString(m_adapted->layerName(i)) + kDeltaSuffix;
    names << kSeedRank1 << kSeedRank2 << kSeedZeros << kSeedLowRank << kSeedGaussian;

    QString pick = weights ? names.front() : kSeedGaussian;
    if (m_userPicked && names.contains(previous))
        pick = previous;
    else
        m_userPicked = false;
    const QSignalBlocker blocker(m_combo);
    m_combo->clear();
    m_combo->addItems(names);
    m_combo->setCurrentText(pick);
}

ModelPtr SvdPanel::sourceOf(const QString& name) const {
    if (name.endsWith(kDeltaSuffix)) return m_adapted;
    if (name.endsWith(kWeightSuffix)) return m_base ? m_base : m_adapted;
    return nullptr;
}

QSize SvdPanel::shapeOf(const QString& name) const {
    if (!name.endsWith(kWeightSuffix) && !name.endsWith(kDeltaSuffix)) {
        const lora::Matrix seed = matrixFor(name, nullptr, nullptr); // at most 10×10
        return {static_cast<int>(seed.cols()), static_cast<int>(seed.rows())};
    }
    const lora::Mlp* model =
        name.endsWith(kDeltaSuffix) || !m_base ? m_adapted.get() : m_base.get();
    const lora::Linear& layer = model->layer(layerOf(name));
    return {layer.in(), layer.out()};
}

void SvdPanel::onSelectionChanged() {
    const QString name = m_combo->currentText();
    // A new snapshot of the same entry is a new matrix; the same snapshot is not.
    if (name == m_shownName && sourceOf(name) == m_shownSource) return;
    m_shownName = name;
    m_shownSource = sourceOf(name);
    startDecomposition();
}

void SvdPanel::startDecomposition() {
    const QSize shape = shapeOf(m_shownName);
    m_rows = shape.height();
    m_cols = shape.width();
    m_decomposition.reset();
    m_renderedRank = -1;
    clampRank();
    for (HeatmapWidget* map : {m_wMap, m_approxMap, m_diffMap}) map->clear(tr("computing SVD…"));
    m_approxMap->setTitle(tr("W_r"));
    m_diffMap->setTitle(tr("W − W_r"));
    m_status->setText(
        tr("computing the SVD of %1 (%2×%3)…").arg(m_shownName).arg(m_rows).arg(m_cols));
    updateLabels();
    updateSpectrum();

    // Even copying a 1000×2000 W is slow on the GUI thread (fresh pages), so the job reads
    // the matrix straight from the immutable snapshots.
    const int generation = ++m_generation;
    // A later selection replaces the watched future; the superseded one runs to its end
    // unobserved (BDCSVD cannot be interrupted) and is dropped with its result.
    m_svdWatcher->setFuture(
        QtConcurrent::run(backgroundPool(), [name = m_shownName, base = m_base, adapted = m_adapted,
                                             generation, rank = m_rank] {
            auto job = std::make_shared<Decomposition>();
            job->generation = generation;
            try {
                const lora::Matrix w = matrixFor(name, base.get(), adapted.get());
                job->maxAbs = w.size() ? w.cwiseAbs().maxCoeff() : 0.0f;
                job->svd = std::make_unique<lora::TruncatedSvd>(w);
                job->sweep = std::make_unique<lora::RankSweep>(*job->svd);
                job->first = renderAt(*job, rank);
            } catch (const std::exception& e) {
                job->svd.reset();
                job->error = QString::fromUtf8(e.what());
            }
            return job;
        }));
}

void SvdPanel::onDecompositionFinished() {
    if (!m_svdWatcher->isFinished()) return;
    const DecompositionPtr job = m_svdWatcher->result();
    if (!job || job->generation != m_generation) return;
    if (!job->svd) {
        m_status->setText(tr("SVD failed: %1").arg(job->error.toHtmlEscaped()));
        for (HeatmapWidget* map : {m_wMap, m_approxMap, m_diffMap}) map->clear(job->error);
        return;
    }
    m_decomposition = job;
    for (HeatmapWidget* map : {m_wMap, m_approxMap, m_diffMap}) map->setScale(job->maxAbs);
    // Aliasing pointer: the heatmap keeps the decomposition, and so W, alive.
    m_wMap->setMatrix(std::shared_ptr<const lora::Matrix>(job, &job->svd->matrix()));
    showRendering(*job->first);
    job->first.reset();
    m_status->setText(tr("%1: SVD ready, %2 singular values, colour scale ±max|W| = %3")
                          .arg(m_shownName)
                          .arg(job->svd->maxRank())
                          .arg(QString::number(job->maxAbs, 'g', 3)));
    updateLabels();
    updateSpectrum();
    if (!m_rendering && m_renderedRank != m_rank) startRendering();
    emit decompositionReady();
}

void SvdPanel::startRendering() {
    m_rendering = true;
    m_renderWatcher->setFuture(QtConcurrent::run(
        backgroundPool(), [d = m_decomposition, rank = m_rank] { return renderAt(*d, rank); }));
}

void SvdPanel::onRenderingFinished() {
    m_rendering = false;
    if (const RenderingPtr r = m_renderWatcher->result(); r && r->generation == m_generation)
        showRendering(*r);
    if (m_decomposition && m_renderedRank != m_rank) startRendering();
}

void SvdPanel::showRendering(const Rendering& rendering) {
    m_renderedRank = rendering.rank;
    m_approxMap->setMatrix(rendering.approx);
    m_diffMap->setMatrix(rendering.diff);
    m_approxMap->setTitle(tr("W_r, r = %1").arg(rendering.rank));
    m_diffMap->setTitle(tr("W − W_r, r = %1").arg(rendering.rank));
}

void SvdPanel::clampRank() {
    m_rank = std::clamp(m_requestedRank, 0, std::min(m_rows, m_cols));
}

void SvdPanel::updateLabels() {
    const double m = m_rows, n = m_cols, r = m_rank;
    m_shapeLabel->setText(tr("shape <b>%1 × %2</b>").arg(m_rows).arg(m_cols));
    m_paramsLabel->setText(tr("factors r(m+n) = <b>%1</b> vs m·n = %2 (%3 %)")
                               .arg(grouped(r * (m + n)), grouped(m * n))
                               .arg(m * n > 0 ? 100.0 * r * (m + n) / (m * n) : 0.0, 0, 'f', 1));
    if (!m_decomposition) {
        m_rankLabel->setText(tr("numerical rank …"));
        m_errorLabel->setText(tr("relative error at r = %1: …").arg(m_rank));
        m_energyLabel->setText(tr("energy kept: …"));
        return;
    }
    const lora::TruncatedSvd& svd = *m_decomposition->svd;
    const lora::ApproximationError e = svd.error(m_rank);
    m_rankLabel->setText(
        tr("numerical rank <b>%1</b> of %2").arg(svd.numericalRank()).arg(svd.maxRank()));
    m_errorLabel->setText(tr("relative error at r = %1: <b>%2</b>")
                              .arg(m_rank)
                              .arg(QString::number(e.relative, 'f', 4)));
    m_energyLabel->setText(
        tr("energy kept: <b>%1 %</b>").arg(QString::number(100.0 * e.energy, 'f', 2)));
}

void SvdPanel::buildCharts() {
    auto* spectrum = new QChart;
    spectrum->setTitle(tr("Singular values"));
    spectrum->legend()->setAlignment(Qt::AlignBottom);
    m_keptSeries = new QLineSeries;
    m_keptSeries->setName(tr("kept σ₁…σ_r"));
    m_droppedSeries = new QLineSeries;
    m_droppedSeries->setName(tr("dropped"));
    m_droppedSeries->setColor(QColor(150, 150, 150));
    m_cutSeries = new QLineSeries;
    m_cutSeries->setName(tr("cut"));
    m_cutSeries->setPen(QPen(QColor(178, 24, 43), 1.5, Qt::DashLine));
    m_spectrumX = new QValueAxis;
    m_spectrumX->setTitleText(tr("index i"));
    m_spectrumX->setLabelFormat("%d");
    m_spectrumX->setTickType(QValueAxis::TicksDynamic);
    m_spectrumX->setTickAnchor(0);
    m_spectrumY = new QLogValueAxis;
    m_spectrumY->setTitleText(tr("σᵢ (log)"));
    m_spectrumY->setLabelFormat("%g");
    m_spectrumY->setMinorTickCount(-1);
    spectrum->addAxis(m_spectrumX, Qt::AlignBottom);
    spectrum->addAxis(m_spectrumY, Qt::AlignLeft);
    for (QLineSeries* s : {m_keptSeries, m_droppedSeries, m_cutSeries}) {
        spectrum->addSeries(s);
        s->attachAxis(m_spectrumX);
        s->attachAxis(m_spectrumY);
    }
    m_spectrumChart = new ChartView(spectrum, this);
    m_spectrumChart->setObjectName("spectrumChart");

    auto* gd = new QChart;
    gd->setTitle(tr("Seed 002: gradient descent vs SVD"));
    gd->legend()->setAlignment(Qt::AlignBottom);
    m_gdSeries = new QLineSeries;
    m_gdSeries->setName(tr("Adam, lr 0.01: ‖BA − W‖²/(mn)"));
    m_gdOptimumSeries = new QLineSeries;
    m_gdOptimumSeries->setName(tr("SVD optimum ‖W − W_r‖²/(mn)"));
    m_gdOptimumSeries->setPen(QPen(QColor(178, 24, 43), 1.5, Qt::DashLine));
    m_gdX = new QValueAxis;
    m_gdX->setTitleText(tr("step"));
    m_gdX->setLabelFormat("%d");
    m_gdX->setRange(0, kGdSteps);
    m_gdY = new QValueAxis;
    m_gdY->setTitleText(tr("MSE"));
    m_gdY->setLabelFormat("%.3g");
    gd->addAxis(m_gdX, Qt::AlignBottom);
    gd->addAxis(m_gdY, Qt::AlignLeft);
    for (QLineSeries* s : {m_gdSeries, m_gdOptimumSeries}) {
        gd->addSeries(s);
        s->attachAxis(m_gdX);
        s->attachAxis(m_gdY);
    }
    m_gdChart = new ChartView(gd, this);
    m_gdChart->setObjectName("gdChart");
}

// σ on a log axis: zeros (and anything below 1e-7·σ_max) sit on the floor instead of
// sending the axis to −∞; the kept and dropped parts share σ_r so the line is unbroken.
void SvdPanel::updateSpectrum() {
    const int k = std::min(m_rows, m_cols);
    // Ordered so that no intermediate state has range/interval in the hundreds: laying out
    // 500 tick labels takes the GUI thread ~200 ms.
    const double interval = niceInterval(k + 1);
    if (interval >= m_spectrumX->tickInterval()) {
        m_spectrumX->setTickInterval(interval);
        m_spectrumX->setRange(0, k + 1);
    } else {
        m_spectrumX->setRange(0, k + 1);
        m_spectrumX->setTickInterval(interval);
    }
    if (!m_decomposition) {
        for (QLineSeries* s : {m_keptSeries, m_droppedSeries, m_cutSeries}) s->clear();
        m_spectrumChart->chart()->setTitle(tr("Singular values (computing…)"));
        return;
    }
    const Eigen::VectorXd& sigma = m_decomposition->svd->singularValues();
    const double top = sigma.size() ? sigma[0] : 0.0;
    if (!(top > 0.0)) {
        for (QLineSeries* s : {m_keptSeries, m_droppedSeries, m_cutSeries}) s->clear();
        m_spectrumY->setRange(0.1, 1.0);
        m_cutSeries->setName(tr("cut r = %1").arg(m_rank));
        m_spectrumChart->chart()->setTitle(tr("Singular values: all zero"));
        return;
    }
    const double floor = top * 1e-7;
    double low = top;
    QList<QPointF> kept, dropped;
    for (int i = 0; i < sigma.size(); ++i) {
        const double s = std::max(sigma[i], floor);
        low = std::min(low, s);
        if (i < m_rank) kept.append({i + 1.0, s});
        if (i + 1 >= m_rank) dropped.append({i + 1.0, s});
    }
    const double yLow = std::pow(10.0, std::floor(std::log10(low)));
    const double yHigh = std::pow(10.0, std::ceil(std::log10(top) + 1e-9));
    m_spectrumY->setRange(yLow * 0.999, yHigh * 1.001); // else rounding may hide an end label
    const bool dots = k <= 64;
    m_keptSeries->setPointsVisible(dots);
    m_droppedSeries->setPointsVisible(dots);
    m_keptSeries->replace(kept);
    m_droppedSeries->replace(m_rank < k ? dropped : QList<QPointF>{});
    const double x = m_rank + 0.5;
    m_cutSeries->replace({{x, yLow}, {x, yHigh}});
    m_cutSeries->setName(tr("cut r = %1").arg(m_rank));
    const bool floored = sigma[sigma.size() - 1] < floor;
    m_spectrumChart->chart()->setTitle(
        floored ? tr("Singular values of %1 (log; σ < 10⁻⁷·σ₁ drawn at 10⁻⁷·σ₁)").arg(m_shownName)
                : tr("Singular values of %1 (log scale)").arg(m_shownName));
}

void SvdPanel::runGradientDescent() {
    // Seed 002 is about small matrices: a 1000×2000 layer would take minutes at 1000 steps.
    const bool own = m_rows > 0 && m_rows <= kGdMaxSide && m_cols <= kGdMaxSide;
    const QString name = own ? m_shownName : kSeedGaussian;
    const lora::Matrix w = matrixFor(name, m_base.get(), m_adapted.get());
    lora::GdApproxOptions options;
    options.rank =
        std::clamp(std::max(1, m_rank), 1, static_cast<int>(std::min(w.rows(), w.cols())));
    options.steps = kGdSteps;
    options.learningRate = kGdLearningRate;

    // A run in progress posts to this panel: stop it (within one step) before replacing it.
    m_gdStop.request_stop();
    m_gdWatcher->waitForFinished();
    m_gdStop = std::stop_source();
    const int generation = ++m_gdGeneration;
    m_gdPoints.clear();
    m_gdPoints.reserve(kGdSteps + 1);
    const double initial = w.cast<double>().squaredNorm() / static_cast<double>(w.size());
    const double optimum = std::pow(lora::TruncatedSvd(w).error(options.rank).frobenius, 2) /
                           static_cast<double>(w.size());
    m_gdPoints.append({0.0, initial});
    m_gdSeries->replace(m_gdPoints);
    m_gdOptimumSeries->replace({{0.0, optimum}, {double(kGdSteps), optimum}});
    m_gdY->setRange(0, initial > 0 ? initial * 1.05 : 1.0);
    m_gdY->applyNiceNumbers();
    m_gdChart->chart()->setTitle(
        tr("Gradient descent on %1 at rank %2").arg(name).arg(options.rank));
    m_gdStatus->setText(
        own ? tr("running…")
            : tr("running on the 8×8 seed (%1 is over %2×%2)…").arg(m_shownName).arg(kGdMaxSide));
    m_gdButton->setEnabled(false);

    m_gdWatcher->setFuture(QtConcurrent::run(
        backgroundPool(), [this, w, options, generation, stop = m_gdStop.get_token()] {
            auto job = std::make_shared<GdJob>();
            job->generation = generation;
            QList<QPointF> batch;
            QElapsedTimer clock;
            clock.start();
            auto onStep = [&](int step, double loss) {
                batch.append({double(step), loss});
                if (clock.elapsed() < kUiIntervalMs) return;
                clock.restart();
                QMetaObject::invokeMethod(
                    this, [this, generation, batch] { appendGdPoints(generation, batch); },
                    Qt::QueuedConnection);
                batch.clear();
            };
            try {
                job->result = lora::approximateByGradientDescent(w, options, onStep, stop);
            } catch (const std::exception& e) {
                job->error = QString::fromUtf8(e.what());
            }
            return job;
        }));
}

void SvdPanel::appendGdPoints(int generation, const QList<QPointF>& points) {
    if (generation != m_gdGeneration) return;
    m_gdPoints.append(points);
    m_gdSeries->replace(m_gdPoints);
}

void SvdPanel::onGradientDescentFinished() {
    if (!m_gdWatcher->isFinished()) return;
    const GdJobPtr job = m_gdWatcher->result();
    if (!job || job->generation != m_gdGeneration) return;
    m_gdButton->setEnabled(true);
    if (!job->error.isEmpty()) {
        m_gdStatus->setText(tr("gradient descent failed: %1").arg(job->error.toHtmlEscaped()));
        return;
    }
    const lora::GdApproxResult& r = job->result;
    // The final curve is authoritative; streamed batches may have been throttled away.
    m_gdPoints.clear();
    for (std::size_t i = 0; i < r.curve.size(); ++i) m_gdPoints.append({double(i), r.curve[i]});
    m_gdSeries->replace(m_gdPoints);
    m_gdOptimumSeries->replace({{0.0, r.svdLoss}, {double(kGdSteps), r.svdLoss}});
    QString gap = QStringLiteral("∞: the optimum is 0");
    if (std::isfinite(r.gapPercent))
        gap = std::abs(r.gapPercent) < 0.01 ? QStringLiteral("&lt; 0.01 %")
                                            : QString::number(r.gapPercent, 'f', 2) + " %";
    m_gdStatus->setText(
        tr("GD <b>%1</b> vs SVD optimum <b>%2</b> (gap %3)")
            .arg(QString::number(r.gdLoss, 'g', 5), QString::number(r.svdLoss, 'g', 5), gap));
    emit gradientDescentFinished(r.gdLoss, r.svdLoss);
}
