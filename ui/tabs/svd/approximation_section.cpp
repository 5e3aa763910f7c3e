#include "tabs/svd/approximation_section.h"

#include "jobs/background_pool.h"
#include "widgets/heatmap_widget.h"

#include <QHBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {
// Snapshot buffers per decomposition: W_r and W − W_r shown, and the same being rendered.
constexpr int kBuffers = 4;
} // namespace

ApproximationSection::ApproximationSection(QWidget* parent)
    : QWidget(parent), m_wMap(new HeatmapWidget(this)), m_approxMap(new HeatmapWidget(this)),
      m_diffMap(new HeatmapWidget(this)), m_watcher(new QFutureWatcher<SvdRenderingPtr>(this)) {
    m_wMap->setObjectName("heatmapW");
    m_wMap->setTitle(tr("W"));
    m_approxMap->setObjectName("heatmapApprox");
    m_diffMap->setObjectName("heatmapDiff");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    for (HeatmapWidget* map : {m_wMap, m_approxMap, m_diffMap}) layout->addWidget(map);
    connect(m_watcher, &QFutureWatcherBase::finished, this,
            &ApproximationSection::onRenderingFinished);
}

void ApproximationSection::showMessage(const QString& message) {
    m_decomposition.reset();
    m_renderedRank = -1;
    for (HeatmapWidget* map : {m_wMap, m_approxMap, m_diffMap}) map->clear(message);
    m_approxMap->setTitle(tr("W_r"));
    m_diffMap->setTitle(tr("W − W_r"));
}

void ApproximationSection::setDecomposition(SvdDecompositionPtr decomposition, int rank) {
    m_decomposition = std::move(decomposition);
    m_rank = rank;
    SvdDecomposition& d = *m_decomposition;
    for (HeatmapWidget* map : {m_wMap, m_approxMap, m_diffMap}) map->setScale(d.maxAbs);
    HeatmapWidget::Frame w = std::move(d.w);
    // Aliasing pointer: the heatmap keeps the decomposition, and so W, alive.
    w.matrix = std::shared_ptr<const lora::Matrix>(m_decomposition, &d.svd->matrix());
    m_wMap->setFrame(std::move(w));
    if (d.first) {
        display(*d.first);
        d.first.reset();
    }
    // Prepared before the colour scale (and so the colour bar's width) was known, the frames
    // may not have fitted, and the heatmaps resampled them here. Render once more at the
    // right sizes, off this thread: that also leaves the render job's caches ready for the
    // first tick.
    if (targets().diff != d.wSampleSize) m_renderedRank = -1;
    if (!m_rendering && m_renderedRank != m_rank) startRendering();
}

void ApproximationSection::setRank(int rank) {
    m_rank = rank;
    if (m_decomposition && !m_rendering && m_renderedRank != m_rank) startRendering();
}

SvdRenderTargets ApproximationSection::targets() const {
    return {m_wMap->sampleSize(), m_approxMap->sampleSize(), m_diffMap->sampleSize()};
}

SvdRenderingPtr ApproximationSection::render(SvdDecomposition& d, int rank,
                                             const SvdRenderTargets& targets) {
    auto out = std::make_shared<SvdRendering>();
    out->generation = d.generation;
    out->rank = rank;
    const lora::Matrix& w = d.svd->matrix();
    const lora::Matrix& current = d.sweep->moveTo(rank); // a large jump costs m·|Δr|·n
    if (!d.buffers) d.buffers = MatrixPool::create(w.rows(), w.cols(), kBuffers);
    const std::shared_ptr<lora::Matrix> approx = d.buffers->take(), diff = d.buffers->take();
    *approx = current; // recycled buffers: no fresh pages to fault in
    *diff = w - current;
    out->approx = HeatmapWidget::prepare(approx, targets.approx, d.maxAbs);
    // Block averages are linear: W − W_r's is W's (kept per size) minus W_r's, which saves a
    // pass over the 8 MB difference.
    if (d.wSampleSize != targets.diff) {
        HeatmapWidget::blockAverage(w, targets.diff.height(), targets.diff.width(), d.wSample);
        d.wSampleSize = targets.diff;
    }
    lora::Matrix diffSample =
        targets.diff == targets.approx
            ? d.wSample - out->approx.sampled
            : d.wSample -
                  HeatmapWidget::blockAverage(current, targets.diff.height(), targets.diff.width());
    out->diff = HeatmapWidget::fromSample(diff, std::move(diffSample), d.maxAbs);
    return out;
}

void ApproximationSection::startRendering() {
    m_rendering = true;
    m_watcher->setFuture(QtConcurrent::run(
        interactivePool(), [d = m_decomposition, rank = m_rank, targets = targets()] {
            return render(*d, rank, targets);
        }));
}

void ApproximationSection::onRenderingFinished() {
    m_rendering = false;
    const SvdRenderingPtr r = m_watcher->result();
    if (r && m_decomposition && r->generation == m_decomposition->generation) display(*r);
    if (m_decomposition && m_renderedRank != m_rank) startRendering();
}

void ApproximationSection::display(SvdRendering& rendering) {
    m_renderedRank = rendering.rank;
    m_approxMap->setFrame(std::move(rendering.approx));
    m_diffMap->setFrame(std::move(rendering.diff));
    m_approxMap->setTitle(tr("W_r, r = %1").arg(rendering.rank));
    m_diffMap->setTitle(tr("W − W_r, r = %1").arg(rendering.rank));
}
