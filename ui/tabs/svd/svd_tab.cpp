#include "tabs/svd/svd_tab.h"

#include "jobs/background_pool.h"
#include "tabs/svd/approximation_section.h"
#include "tabs/svd/gradient_descent_section.h"
#include "tabs/svd/spectrum_chart.h"
#include "tabs/svd/svd_matrices.h"
#include "util/error.h"
#include "widgets/log_steps.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

using namespace svd_matrices;

namespace {

constexpr int kReservedRank = 99999; // caps the widths reserved for the facts' texts

QString grouped(double v) { // 50,176
    return QLocale().toString(static_cast<qlonglong>(v));
}

} // namespace

SvdTab::SvdTab(QWidget* parent) : QWidget(parent) {
    // Opaque: a label changing on a rank tick then repaints over this panel's own background
    // instead of making the enclosing tab widget redraw its frame beneath it first.
    setAutoFillBackground(true);
    m_combo = new QComboBox(this);
    m_combo->setObjectName("matrixCombo");
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_status = new QLabel(this);
    m_status->setObjectName("statusLabel");
    m_status->setWordWrap(true); // a long matrix name must not widen the panel
    m_status->setMinimumWidth(120);

    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Matrix:"), this));
    top->addWidget(m_combo);
    top->addSpacing(12);
    top->addWidget(m_status, 1);

    m_maps = new ApproximationSection(this);

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
    m_rankSlider = new QSlider(Qt::Horizontal, this);
    // Unnamed on purpose: a session keeps the rank in its settings, not as this slider's
    // notch, whose meaning depends on the matrix shown.
    m_rankSlider->setToolTip(tr("r of the truncation shown, 0…min(m, n) of this matrix "
                                "(log-spaced); the controls' rank slider sets it too"));
    connect(m_rankSlider, &QSlider::valueChanged, this,
            [this](int v) { setRank(m_rankSteps[static_cast<std::size_t>(v)]); });
    auto* rankRow = new QHBoxLayout;
    rankRow->addWidget(new QLabel(tr("r"), this));
    rankRow->addWidget(m_rankSlider, 1);
    // Two rows, so that the panel fits beside the controls on a 1024-pixel screen.
    auto* facts = new QGridLayout;
    facts->setHorizontalSpacing(18);
    facts->setVerticalSpacing(2);
    facts->addWidget(m_shapeLabel, 0, 0);
    facts->addWidget(m_rankLabel, 0, 1);
    facts->addWidget(m_errorLabel, 0, 2);
    facts->addWidget(m_energyLabel, 1, 0, 1, 2);
    facts->addWidget(m_paramsLabel, 1, 2);
    facts->setColumnStretch(3, 1);

    m_spectrum = new SpectrumChart(this);
    m_spectrum->setObjectName("spectrumChart");
    m_gd = new GradientDescentSection(this);
    auto* charts = new QHBoxLayout;
    charts->addWidget(m_spectrum, 1);
    charts->addWidget(m_gd, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_maps, 4);
    layout->addLayout(rankRow);
    layout->addLayout(facts);
    layout->addLayout(charts, 5);

    m_svdWatcher = new QFutureWatcher<SvdDecompositionPtr>(this);
    connect(m_svdWatcher, &QFutureWatcherBase::finished, this, &SvdTab::onDecompositionFinished);
    connect(m_gd, &GradientDescentSection::runRequested, this, &SvdTab::runGradientDescent);
    connect(m_gd, &GradientDescentSection::finished, this, &SvdTab::gradientDescentFinished);
    connect(m_combo, &QComboBox::currentTextChanged, this, [this] {
        m_userPicked = true;
        onSelectionChanged();
    });

    rebuildEntries();
    onSelectionChanged();
}

// SVD and render jobs own what they touch and may finish unobserved; the gradient-descent
// view stops its own run.
SvdTab::~SvdTab() = default;

QString SvdTab::matrixName() const {
    return m_combo->currentText();
}

bool SvdTab::isReady() const {
    return m_decomposition != nullptr;
}

double SvdTab::relativeError() const {
    return m_decomposition ? m_decomposition->svd->error(m_rank).relative
                           : std::numeric_limits<double>::quiet_NaN();
}

double SvdTab::energyKept() const {
    return m_decomposition ? m_decomposition->svd->error(m_rank).energy
                           : std::numeric_limits<double>::quiet_NaN();
}

int SvdTab::numericalRank() const {
    return m_decomposition ? m_decomposition->svd->numericalRank() : -1;
}

void SvdTab::setModels(ModelPtr base, ModelPtr adapted) {
    m_base = std::move(base);
    m_adapted = std::move(adapted);
    rebuildEntries();
    onSelectionChanged();
}

// Labels and the spectrum answer at once (O(1) per tick); the heatmaps follow as soon as a
// render job is free, skipping ranks the slider passed meanwhile.
void SvdTab::setRank(int rank) {
    m_requestedRank = std::max(0, rank);
    const int before = m_rank;
    clampRank();
    if (m_rank == before) return;
    updateLabels();
    updateSpectrum();
    m_maps->setRank(m_rank);
}

void SvdTab::selectMatrix(const QString& name) {
    const int index = m_combo->findText(name);
    if (index < 0) return;
    m_userPicked = true;
    m_combo->setCurrentIndex(index);
}

// Entries follow the models; the selection survives when its entry still exists and was
// chosen by hand, otherwise it falls back to the default (the base's fc1 W, else seed 002).
void SvdTab::rebuildEntries() {
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
    names << seedNames();

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

ModelPtr SvdTab::sourceOf(const QString& name) const {
    if (name.endsWith(kDeltaSuffix)) return m_adapted;
    if (name.endsWith(kWeightSuffix)) return m_base ? m_base : m_adapted;
    return nullptr;
}

QSize SvdTab::shapeOf(const QString& name) const {
    if (!name.endsWith(kWeightSuffix) && !name.endsWith(kDeltaSuffix)) {
        const lora::Matrix seed = matrixFor(name, nullptr, nullptr); // at most 10×10
        return {static_cast<int>(seed.cols()), static_cast<int>(seed.rows())};
    }
    const lora::Mlp* model =
        name.endsWith(kDeltaSuffix) || !m_base ? m_adapted.get() : m_base.get();
    const lora::Linear& layer = model->layer(layerOf(name));
    return {layer.in(), layer.out()};
}

void SvdTab::onSelectionChanged() {
    const QString name = m_combo->currentText();
    // A new snapshot of the same entry is a new matrix; the same snapshot is not.
    if (name == m_shownName && sourceOf(name) == m_shownSource) return;
    m_shownName = name;
    m_shownSource = sourceOf(name);
    m_gd->clear(name); // a curve of another matrix would read as this one's
    startDecomposition();
}

void SvdTab::startDecomposition() {
    const QSize shape = shapeOf(m_shownName);
    m_rows = shape.height();
    m_cols = shape.width();
    m_decomposition.reset();
    clampRank();
    reserveLabelWidths();
    m_maps->showMessage(tr("computing SVD…"));
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
        runInBackground([name = m_shownName, base = m_base, adapted = m_adapted, generation,
                         rank = m_rank, targets = m_maps->targets()] {
            auto job = std::make_shared<SvdDecomposition>();
            job->generation = generation;
            try {
                const lora::Matrix w = matrixFor(name, base.get(), adapted.get());
                job->svd = std::make_unique<lora::TruncatedSvd>(w);
                job->sweep = std::make_unique<lora::RankSweep>(*job->svd);
                lora::Matrix sample = HeatmapWidget::blockAverage(
                    job->svd->matrix(), targets.w.height(), targets.w.width());
                job->maxAbs = HeatmapWidget::robustScale(sample);
                job->w = HeatmapWidget::fromSample(nullptr, std::move(sample), job->maxAbs);
                job->first = ApproximationSection::render(*job, rank, targets);
                // Fault in the next rendering's buffers here rather than on the first tick.
                job->buffers->reserve(2);
            } catch (const std::exception& e) {
                job->svd.reset();
                job->error = QString::fromStdString(lora::errorText(e));
            }
            return job;
        }));
}

void SvdTab::onDecompositionFinished() {
    if (!m_svdWatcher->isFinished()) return;
    const SvdDecompositionPtr job = m_svdWatcher->result();
    if (!job || job->generation != m_generation) return;
    if (!job->svd) {
        m_status->setText(tr("SVD failed: %1").arg(job->error.toHtmlEscaped()));
        m_maps->showMessage(job->error);
        return;
    }
    m_decomposition = job;
    m_maps->setDecomposition(job, m_rank);
    m_status->setText(tr("%1: SVD ready, %2 singular values, colour scale ±%3 (99 % of "
                         "the cells inside it)")
                          .arg(m_shownName)
                          .arg(job->svd->maxRank())
                          .arg(QString::number(job->maxAbs, 'g', 3)));
    updateLabels();
    updateSpectrum();
    emit decompositionReady();
}

void SvdTab::clampRank() {
    const int k = std::min(m_rows, m_cols);
    m_rank = std::clamp(m_requestedRank, 0, k);
    const QSignalBlocker blocker(m_rankSlider);
    if (m_rankSteps.empty() || m_rankSteps.back() != k) {
        m_rankSteps = {0};
        if (k > 0)
            for (int r : logsteps::ranks(k)) m_rankSteps.push_back(r);
        m_rankSlider->setRange(0, static_cast<int>(m_rankSteps.size()) - 1);
    }
    m_rankSlider->setValue(logsteps::nearest(m_rankSteps, m_rank));
}

QString SvdTab::paramsText(int rank) const {
    const double m = m_rows, n = m_cols, r = rank;
    return tr("factors r(m+n) = <b>%1</b> vs m·n = %2 (%3 %)")
        .arg(grouped(r * (m + n)), grouped(m * n))
        .arg(m * n > 0 ? 100.0 * r * (m + n) / (m * n) : 0.0, 0, 'f', 1);
}

QString SvdTab::rankText(int numericalRank, int maxRank) const {
    return tr("numerical rank <b>%1</b> of %2").arg(numericalRank).arg(maxRank);
}

QString SvdTab::errorText(int rank, double relative) const {
    return tr("relative error at r = %1: <b>%2</b>")
        .arg(rank)
        .arg(QString::number(relative, 'f', 4));
}

QString SvdTab::energyText(double energy) const {
    return tr("energy kept: <b>%1 %</b>").arg(QString::number(100.0 * energy, 'f', 2));
}

// A rank-slider tick changes the facts' widths (r = 9 → 10, 12,000 → 15,000). Were the row to
// follow them, the panel's minimum width would follow too, and on ticks like those the whole
// window would be laid out anew: the dock narrowed, the heatmaps resized and resampled on the
// GUI thread. So each label gets a fixed size, room for its widest text on this matrix at any
// rank up to min(m, n) (the panel's slider reaches it). Fixed, not just a minimum: a
// fixed-size label's new text invalidates no layout, so a tick lays out nothing at all (else
// the request climbs to the tab widget, which then repaints its frame and tab bar).
void SvdTab::reserveLabelWidths() {
    const int k = std::min({m_rows, m_cols, kReservedRank});
    const std::pair<QLabel*, QString> widest[] = {{m_rankLabel, rankText(k, k)},
                                                  {m_errorLabel, errorText(k, 1.0)},
                                                  {m_energyLabel, energyText(1.0)},
                                                  {m_paramsLabel, paramsText(k)}};
    for (const auto& [label, text] : widest) {
        label->setMinimumSize(0, 0);
        label->setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX);
        label->setText(text);
        label->setFixedSize(label->sizeHint());
    }
}

void SvdTab::updateLabels() {
    m_shapeLabel->setText(tr("shape <b>%1 × %2</b>").arg(m_rows).arg(m_cols));
    m_paramsLabel->setText(paramsText(m_rank));
    if (!m_decomposition) {
        m_rankLabel->setText(tr("numerical rank …"));
        m_errorLabel->setText(tr("relative error at r = %1: …").arg(m_rank));
        m_energyLabel->setText(tr("energy kept: …"));
        return;
    }
    const lora::TruncatedSvd& svd = *m_decomposition->svd;
    const lora::ApproximationError e = svd.error(m_rank);
    m_rankLabel->setText(rankText(svd.numericalRank(), svd.maxRank()));
    m_errorLabel->setText(errorText(m_rank, e.relative));
    m_energyLabel->setText(energyText(e.energy));
}

void SvdTab::updateSpectrum() {
    m_spectrum->showSpectrum(m_decomposition ? &m_decomposition->svd->singularValues() : nullptr,
                             std::min(m_rows, m_cols), m_rank, m_shownName);
}

void SvdTab::runGradientDescent() {
    const int rank = std::clamp(std::max(1, m_rank), 1, std::max(1, std::min(m_rows, m_cols)));
    double optimum = std::numeric_limits<double>::quiet_NaN();
    if (m_decomposition && m_rows > 0 && m_cols > 0)
        optimum = std::pow(m_decomposition->svd->error(rank).frobenius, 2) /
                  (static_cast<double>(m_rows) * m_cols);
    // Copying a big W on the GUI thread is slow (fresh pages): the run reads the snapshot.
    m_gd->run([name = m_shownName, base = m_base,
               adapted = m_adapted] { return matrixFor(name, base.get(), adapted.get()); },
              rank, m_shownName, optimum);
}
