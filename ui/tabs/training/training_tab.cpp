#include "tabs/training/training_tab.h"

#include "widgets/chart_view.h"
#include "widgets/duration_text.h"

#include <QChart>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>
#include <cmath>

namespace {

constexpr double kSmoothing = 0.9; // TensorBoard's default weight for the loss curve
constexpr double kFadedAlpha = 0.35;

// Tableau 10: distinct on white, and the order matches what people know from matplotlib.
QColor runColor(int index) {
    static const QColor colors[] = {
        {31, 119, 180}, {255, 127, 14},  {44, 160, 44},   {214, 39, 40},  {148, 103, 189},
        {140, 86, 75},  {227, 119, 194}, {127, 127, 127}, {188, 189, 34}, {23, 190, 207}};
    return colors[index % 10];
}

QString formatEta(double seconds) {
    const long total = std::lround(std::max(0.0, seconds));
    return QStringLiteral("%1:%2").arg(total / 60).arg(total % 60, 2, 10, QLatin1Char('0'));
}

// 0 to `top` rounded up to a whole number of 1, 2 or 5 × 10ⁿ steps, about seven ticks:
// Qt's applyNiceNumbers() would stretch 130 steps to an axis of 200.
void setNiceRange(QValueAxis* axis, double top) {
    const double raw = top / 7;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    double step = magnitude;
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * magnitude >= raw) {
            step = m * magnitude;
            break;
        }
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(step);
    const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
    axis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
    axis->setRange(0, std::ceil(top / step - 1e-9) * step);
}

QValueAxis* makeAxis(const QString& title, const char* format) {
    auto* axis = new QValueAxis;
    axis->setTitleText(title);
    axis->setLabelFormat(format);
    return axis;
}

} // namespace

struct TrainingTab::Run {
    int id = 0;
    QString label;
    QColor color;
    QLineSeries* loss = nullptr;
    QLineSeries* validLoss = nullptr;
    QLineSeries* validAccuracy = nullptr;
    QList<QPointF> lossPoints, validLossPoints, validAccuracyPoints;
    double average = 0; // raw exponential moving average, before the bias correction
    double weight = 0;  // 1 − smoothing^n: what the zero start has not yet been averaged out of
    // What the axes must show of this run; kept per run so a dropped run's range goes too.
    double maxStep = 0, maxLoss = 0, maxValidLoss = 0;
    int maxEpoch = 0;
};

TrainingTab::TrainingTab(QWidget* parent) : QWidget(parent) {
    auto* lossChart = new QChart;
    lossChart->setTitle(tr("Train loss per step (smoothed %1)").arg(kSmoothing));
    lossChart->legend()->setAlignment(Qt::AlignBottom);
    m_stepAxis = makeAxis(tr("step"), "%d");
    m_lossAxis = makeAxis(tr("loss"), "%.2f");
    lossChart->addAxis(m_stepAxis, Qt::AlignBottom);
    lossChart->addAxis(m_lossAxis, Qt::AlignLeft);
    m_lossChart = new ChartView(lossChart, this);
    m_lossChart->setObjectName("lossChart");

    auto* epochChart = new QChart;
    epochChart->setTitle(tr("Validation per epoch: loss (solid) and accuracy (dashed)"));
    epochChart->legend()->setAlignment(Qt::AlignBottom);
    m_epochAxis = makeAxis(tr("epoch"), "%d");
    m_epochAxis->setTickType(QValueAxis::TicksDynamic);
    m_epochAxis->setTickAnchor(0); // ticks on whole epochs only
    m_validLossAxis = makeAxis(tr("loss"), "%.2f");
    m_accuracyAxis = makeAxis(tr("acc. %"), "%d");
    m_accuracyAxis->setRange(0, 100);
    m_accuracyAxis->setTickCount(6);
    epochChart->addAxis(m_epochAxis, Qt::AlignBottom);
    epochChart->addAxis(m_validLossAxis, Qt::AlignLeft);
    epochChart->addAxis(m_accuracyAxis, Qt::AlignRight);
    m_epochChart = new ChartView(epochChart, this);
    m_epochChart->setObjectName("epochChart");

    m_status = new QLabel(tr("No training run yet"), this);
    m_status->setObjectName("statusLabel");

    m_clear = new QPushButton(tr("Clear runs"), this);
    m_clear->setObjectName("clearRunsButton");
    m_clear->setToolTip(tr("Forget this experiment's runs (Edit → Undo brings them back)"));
    m_clear->setEnabled(false);
    connect(m_clear, &QPushButton::clicked, this, &TrainingTab::clearRunsRequested);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_lossChart, 1);
    layout->addWidget(m_epochChart, 1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_status, 1);
    bottom->addWidget(m_clear);
    layout->addLayout(bottom);
    updateAxes();
}

TrainingTab::~TrainingTab() = default;

int TrainingTab::runCount() const {
    return static_cast<int>(m_runs.size());
}

int TrainingTab::stepPointCount(int runId) const {
    const Run* run = find(runId);
    return run ? static_cast<int>(run->loss->count()) : 0;
}

ChartView* TrainingTab::lossChart() const {
    return m_lossChart;
}
ChartView* TrainingTab::epochChart() const {
    return m_epochChart;
}

TrainingTab::Run* TrainingTab::find(int runId) {
    for (auto& run : m_runs)
        if (run->id == runId) return run.get();
    return nullptr;
}

const TrainingTab::Run* TrainingTab::find(int runId) const {
    return const_cast<TrainingTab*>(this)->find(runId);
}

void TrainingTab::runStarted(int runId, RunKind, const QString& name) {
    m_lastLabel.clear();               // a pause before the first batch names no older run
    if (find(runId)) removeRun(runId); // a restarted id draws afresh
    // "LoRA r4 α1", then "LoRA r4 α1 (2)": one legend entry and CSV column pair per run.
    QString label = name;
    for (int n = 2; std::any_of(m_runs.begin(), m_runs.end(),
                                [&](const auto& run) { return run->label == label; });
         ++n)
        label = QStringLiteral("%1 (%2)").arg(name).arg(n);
    // Only the last run is drawn as current: restyling every earlier one made a replay of
    // n runs cost n² pen changes.
    if (!m_runs.empty()) styleRun(*m_runs.back(), false);

    auto run = std::make_unique<Run>();
    run->id = runId;
    run->label = label;
    run->color = runColor(m_colorIndex++);
    run->loss = new QLineSeries;
    run->loss->setName(label);
    run->validLoss = new QLineSeries;
    run->validLoss->setName(tr("%1 loss").arg(label));
    run->validLoss->setPointsVisible(true); // a one-epoch run is a single point
    run->validAccuracy = new QLineSeries;
    run->validAccuracy->setName(tr("%1 accuracy").arg(label));
    run->validAccuracy->setPointsVisible(true);
    attach(m_lossChart->chart(), run->loss, m_stepAxis, m_lossAxis);
    attach(m_epochChart->chart(), run->validLoss, m_epochAxis, m_validLossAxis);
    attach(m_epochChart->chart(), run->validAccuracy, m_epochAxis, m_accuracyAxis);
    styleRun(*run, true);
    // One legend entry per run, as in the loss chart; the title explains solid and dashed.
    QLegend* legend = m_epochChart->chart()->legend();
    for (QLegendMarker* marker : legend->markers(run->validLoss)) marker->setLabel(label);
    for (QLegendMarker* marker : legend->markers(run->validAccuracy)) marker->setVisible(false);
    m_runs.push_back(std::move(run));
    while (m_runs.size() > static_cast<std::size_t>(kMaxDrawnRuns)) removeRun(m_runs.front()->id);
    updateAxes();
    m_clear->setEnabled(true);
    m_status->setText(tr("%1: starting…").arg(label));
}

void TrainingTab::attach(QChart* chart, QLineSeries* series, QValueAxis* x, QValueAxis* y) {
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
}

// The current run is drawn bold; earlier ones stay for comparison but step back.
void TrainingTab::styleRun(Run& run, bool current) {
    QColor color = run.color;
    if (!current) color.setAlphaF(kFadedAlpha);
    const qreal width = current ? 2.0 : 1.2;
    run.loss->setPen(QPen(color, width));
    run.validLoss->setPen(QPen(color, width));
    run.validAccuracy->setPen(QPen(color, width, Qt::DashLine));
    run.validLoss->setColor(color);
    run.validAccuracy->setColor(color);
}

void TrainingTab::stepsReported(const StepBatch& batch) {
    Run* run = find(batch.runId);
    if (!run) return;
    long step = batch.firstStep;
    for (float loss : batch.losses) {
        const long x = step++;
        if (!std::isfinite(loss)) continue; // one NaN would poison every later average
        // TensorBoard's debiased EMA: without the division the curve would start at 0.
        run->average = kSmoothing * run->average + (1 - kSmoothing) * loss;
        run->weight = kSmoothing * run->weight + (1 - kSmoothing);
        const double smoothed = run->average / run->weight;
        run->lossPoints.append(QPointF(x, smoothed));
        run->maxStep = std::max(run->maxStep, static_cast<double>(x));
        run->maxLoss = std::max(run->maxLoss, smoothed);
    }
    run->loss->replace(run->lossPoints);
    updateAxes();
    m_lastBatch = batch;
    m_lastLabel = run->label;
    if (m_paused) return showPaused();
    m_status->setText(tr("%1: epoch %2, step %3/%4, %5 samples/s, ETA %6")
                          .arg(run->label)
                          .arg(batch.epoch)
                          .arg(batch.stepsDone)
                          .arg(batch.stepsTotal)
                          .arg(std::lround(batch.samplesPerSecond))
                          .arg(formatEta(batch.etaSeconds)));
}

void TrainingTab::setPaused(bool paused) {
    m_paused = paused;
    if (paused && !m_lastLabel.isEmpty()) showPaused();
}

void TrainingTab::showPaused() {
    m_status->setText(tr("%1: paused at epoch %2, step %3/%4 · Space resumes")
                          .arg(m_lastLabel)
                          .arg(m_lastBatch.epoch)
                          .arg(m_lastBatch.stepsDone)
                          .arg(m_lastBatch.stepsTotal));
}

void TrainingTab::epochFinished(const EpochUpdate& update) {
    Run* run = find(update.runId);
    if (!run) return;
    const lora::EpochProgress& p = update.progress;
    run->validLossPoints.append(QPointF(p.epoch, p.validLoss));
    run->validAccuracyPoints.append(QPointF(p.epoch, p.validAccuracy));
    run->validLoss->replace(run->validLossPoints);
    run->validAccuracy->replace(run->validAccuracyPoints);
    run->maxEpoch = std::max(run->maxEpoch, p.epoch);
    if (std::isfinite(p.validLoss))
        run->maxValidLoss = std::max<double>(run->maxValidLoss, p.validLoss);
    updateAxes();
}

void TrainingTab::runFinished(const RunOutcome& outcome) {
    const Run* run = find(outcome.runId);
    const QString label = run ? run->label : outcome.label;
    const lora::TrainResult& r = outcome.result;
    QString text;
    if (r.diverged)
        text = tr("%1: %2").arg(label, QString::fromStdString(lora::divergenceMessage(r)));
    else if (r.stopped)
        text = tr("%1: stopped after %2 steps").arg(label).arg(r.steps);
    else
        text = tr("%1: done, %2 steps in %3, %4 samples/s, test accuracy %5 %")
                   .arg(label)
                   .arg(r.steps)
                   .arg(durationText(r.seconds))
                   .arg(std::lround(r.samplesPerSecond))
                   .arg(outcome.testAccuracy, 0, 'f', 2);
    m_status->setText(text);
}

void TrainingTab::removeRun(int runId) {
    auto it = std::find_if(m_runs.begin(), m_runs.end(),
                           [runId](const auto& run) { return run->id == runId; });
    if (it == m_runs.end()) return;
    for (QLineSeries* s : {(*it)->loss, (*it)->validLoss, (*it)->validAccuracy}) {
        s->chart()->removeSeries(s);
        delete s;
    }
    m_runs.erase(it);
}

void TrainingTab::clear() {
    while (!m_runs.empty()) removeRun(m_runs.front()->id);
    m_colorIndex = 0;
    m_clear->setEnabled(false);
    updateAxes();
    m_status->setText(tr("No training run yet"));
}

// Over the drawn runs only (at most kMaxDrawnRuns, so this stays cheap per update).
void TrainingTab::updateAxes() {
    double maxStep = 0, maxLoss = 0, maxValidLoss = 0;
    int maxEpoch = 0;
    for (const auto& run : m_runs) {
        maxStep = std::max(maxStep, run->maxStep);
        maxLoss = std::max(maxLoss, run->maxLoss);
        maxValidLoss = std::max(maxValidLoss, run->maxValidLoss);
        maxEpoch = std::max(maxEpoch, run->maxEpoch);
    }
    setNiceRange(m_stepAxis, std::max(10.0, maxStep));
    setNiceRange(m_lossAxis, maxLoss > 0 ? maxLoss : 1.0);
    setNiceRange(m_validLossAxis, maxValidLoss > 0 ? maxValidLoss : 1.0);
    // Half an epoch of margin keeps the first and last points off the plot edges.
    const int epochs = std::max(2, maxEpoch);
    m_epochAxis->setRange(0.5, epochs + 0.5);
    m_epochAxis->setTickInterval(std::max(1, (epochs + 9) / 10));
}
