#include "tabs/sweep/sweep_tab.h"

#include "util/error.h"
#include "util/list_parse.h"
#include "widgets/chart_view.h"
#include "widgets/duration_text.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QLocale>
#include <QLogValueAxis>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// The sweep's own ranges, a UI choice (the rank slider's 1…64); every run is still checked
// by LoraSpec::validate.
constexpr int kMaxSweepRank = 64;
constexpr double kMaxAlpha = 1024.0;

// Ranks and alphas share the rules: at least one value, each valid, none repeated; commas,
// semicolons or spaces between them.
constexpr lora::ListRules kFieldRules{lora::ListSeparators::Loose, true};

QLineSeries* makeSeries(const QColor& color) {
    auto* series = new QLineSeries;
    series->setName(QStringLiteral("accuracy"));
    series->setPointsVisible(true);
    series->setColor(color);
    QPen pen = series->pen();
    pen.setWidthF(2.0);
    series->setPen(pen);
    return series;
}

// A log-scale x axis: ranks and alphas are powers of two, parameters grow with rank.
ChartView* makeChart(const QString& title, const QString& xTitle, const char* labelFormat,
                     QLineSeries* series, QLogValueAxis*& xAxis, QValueAxis*& yAxis,
                     QWidget* parent) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->addSeries(series);
    chart->legend()->hide();
    xAxis = new QLogValueAxis;
    xAxis->setBase(2);
    xAxis->setLabelFormat(QLatin1String(labelFormat));
    xAxis->setTitleText(xTitle);
    yAxis = new QValueAxis;
    yAxis->setTitleText(QStringLiteral("test accuracy (%)"));
    yAxis->setLabelFormat(QStringLiteral("%.0f"));
    chart->addAxis(xAxis, Qt::AlignBottom);
    chart->addAxis(yAxis, Qt::AlignLeft);
    series->attachAxis(xAxis);
    series->attachAxis(yAxis);
    auto* view = new ChartView(chart, parent);
    return view;
}

// Half a power of two either side, so the end points do not sit on the frame.
void fitLogAxis(QLogValueAxis* axis, double lo, double hi) {
    axis->setRange(lo / std::sqrt(2.0), hi * std::sqrt(2.0));
}

} // namespace

SweepTab::SweepTab(QWidget* parent) : QWidget(parent) {
    m_ranksEdit = new QLineEdit(QStringLiteral("1,2,4,8,16"), this);
    m_ranksEdit->setObjectName(QStringLiteral("ranksEdit"));
    m_ranksEdit->setToolTip(tr("Ranks 1…%1, trained at the current α").arg(kMaxSweepRank));
    m_alphasEdit = new QLineEdit(QStringLiteral("0.5,1,2,4,8"), this);
    m_alphasEdit->setObjectName(QStringLiteral("alphasEdit"));
    m_alphasEdit->setToolTip(tr("Alphas > 0 and ≤ %1, trained at the current rank").arg(kMaxAlpha));
    m_runButton = new QPushButton(tr("Run sweep"), this);
    m_runButton->setObjectName(QStringLiteral("runButton"));
    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("statusLabel"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("sweepProgress"));
    m_progress->setFormat(tr("%v of %m runs (%p %)"));
    m_progress->setMinimumWidth(
        m_progress->fontMetrics().horizontalAdvance(tr("%1 of %2 runs (100 %)").arg(128).arg(128)) +
        32);
    m_etaLabel = new QLabel(this);
    m_etaLabel->setObjectName(QStringLiteral("etaLabel"));
    m_etaTimer = new QTimer(this);
    m_etaTimer->setInterval(1000);
    connect(m_etaTimer, &QTimer::timeout, this, &SweepTab::updateProgress);

    const QColor blue(0x1f, 0x77, 0xb4), orange(0xff, 0x7f, 0x0e), green(0x2c, 0xa0, 0x2c);
    m_rankSeries = makeSeries(blue);
    m_paramsSeries = makeSeries(green);
    m_alphaSeries = makeSeries(orange);
    m_rankChart = makeChart(tr("Accuracy vs rank (at the current α)"), tr("rank r"), "%g",
                            m_rankSeries, m_rankAxis, m_accuracyAxes[0], this);
    m_paramsChart = makeChart(tr("Accuracy vs trainable parameters"), tr("LoRA parameters"), "%.0f",
                              m_paramsSeries, m_paramsAxis, m_accuracyAxes[1], this);
    m_alphaChart = makeChart(tr("Accuracy vs α (at the current rank)"), tr("α"), "%g",
                             m_alphaSeries, m_alphaAxis, m_accuracyAxes[2], this);
    m_rankChart->setObjectName(QStringLiteral("rankChart"));
    m_paramsChart->setObjectName(QStringLiteral("paramsChart"));
    m_alphaChart->setObjectName(QStringLiteral("alphaChart"));

    m_table = new QTableWidget(0, 5, this);
    m_table->setObjectName(QStringLiteral("sweepTable"));
    m_table->setHorizontalHeaderLabels(
        {tr("rank"), tr("α"), tr("trainable"), tr("accuracy %"), tr("seconds")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_table->setToolTip(tr("The swept value of each run is in bold"));

    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Ranks:"), this));
    controls->addWidget(m_ranksEdit, 1);
    controls->addWidget(new QLabel(tr("Alphas:"), this));
    controls->addWidget(m_alphasEdit, 1);
    controls->addWidget(m_runButton);
    auto* grid = new QGridLayout;
    grid->addWidget(m_rankChart, 0, 0);
    grid->addWidget(m_paramsChart, 0, 1);
    grid->addWidget(m_alphaChart, 1, 0);
    grid->addWidget(m_table, 1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(controls);
    auto* progress = new QHBoxLayout;
    progress->addWidget(m_statusLabel, 1);
    progress->addWidget(m_progress);
    progress->addWidget(m_etaLabel);
    layout->addLayout(progress);
    layout->addLayout(grid, 1);

    connect(m_runButton, &QPushButton::clicked, this, &SweepTab::requestSweep);
    connect(m_ranksEdit, &QLineEdit::returnPressed, m_runButton, &QPushButton::click);
    connect(m_alphasEdit, &QLineEdit::returnPressed, m_runButton, &QPushButton::click);
    clear();
}

std::vector<int> SweepTab::ranks() const {
    return lora::parseIntList(m_ranksEdit->text().toStdString(), "ranks", 1, kMaxSweepRank,
                              kFieldRules);
}

std::vector<float> SweepTab::alphas() const {
    return lora::parseFloatList(m_alphasEdit->text().toStdString(), "alphas", {0.0, kMaxAlpha},
                                kFieldRules);
}

void SweepTab::setLists(const QString& ranks, const QString& alphas) {
    m_ranksEdit->setText(ranks);
    m_alphasEdit->setText(alphas);
}

int SweepTab::pointCount() const {
    return static_cast<int>(m_points.size());
}

void SweepTab::requestSweep() {
    try {
        const std::vector<int> r = ranks();
        const std::vector<float> a = alphas();
        // After the signal: the main window clears the tab before it starts the sweep.
        emit sweepRequested(r, a);
        m_expected = static_cast<int>(r.size() + a.size());
        updateProgress();
    } catch (const lora::InputError& e) {
        emit invalidInput(QString::fromUtf8(e.what()));
    }
}

void SweepTab::addPoint(const SweepPoint& point) {
    // The first point of a new sweep replaces the previous sweep's results.
    if (!m_points.empty() && m_points.front().runId != point.runId) {
        const int expected = m_expected;
        clear();
        m_expected = expected;
    }
    m_points.push_back(point);
    m_state = State::Running;
    m_sincePoint.start();

    const QLocale english(QLocale::English);
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    const QString cells[] = {QString::number(point.rank), QString::number(point.alpha, 'g', 4),
                             english.toString(qint64(point.trainableParams)),
                             QString::number(point.accuracy, 'f', 2),
                             QString::number(point.seconds, 'f', 1)};
    for (int c = 0; c < 5; ++c) {
        auto* item = new QTableWidgetItem(cells[c]);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (c == (point.rankAxis ? 0 : 1)) {
            QFont bold = item->font();
            bold.setBold(true);
            item->setFont(bold);
        }
        m_table->setItem(row, c, item);
    }
    m_table->scrollToBottom();
    updateCharts();
    updateStatus();
}

void SweepTab::sweepFinished(int runId, bool stopped) {
    if (!m_points.empty() && m_points.front().runId != runId) return; // an older sweep
    m_state = stopped ? State::Stopped : State::Finished;
    updateStatus();
}

void SweepTab::clear() {
    m_points.clear();
    m_expected = 0;
    m_state = State::Idle;
    m_table->setRowCount(0);
    updateCharts();
    updateStatus();
}

void SweepTab::setRunning(bool running) {
    m_runButton->setEnabled(!running);
}

void SweepTab::updateCharts() {
    std::vector<SweepPoint> byRank, byAlpha;
    for (const SweepPoint& p : m_points) (p.rankAxis ? byRank : byAlpha).push_back(p);
    std::sort(byRank.begin(), byRank.end(),
              [](const SweepPoint& a, const SweepPoint& b) { return a.rank < b.rank; });
    std::sort(byAlpha.begin(), byAlpha.end(),
              [](const SweepPoint& a, const SweepPoint& b) { return a.alpha < b.alpha; });
    QList<QPointF> rankPoints, paramPoints, alphaPoints;
    for (const SweepPoint& p : byRank) {
        rankPoints.append({double(p.rank), p.accuracy});
        paramPoints.append({double(p.trainableParams), p.accuracy});
    }
    for (const SweepPoint& p : byAlpha) alphaPoints.append({p.alpha, p.accuracy});
    m_rankSeries->replace(rankPoints);
    m_paramsSeries->replace(paramPoints);
    m_alphaSeries->replace(alphaPoints);

    fitLogAxis(m_rankAxis, rankPoints.isEmpty() ? 1 : rankPoints.front().x(),
               rankPoints.isEmpty() ? 16 : rankPoints.back().x());
    fitLogAxis(m_paramsAxis, paramPoints.isEmpty() ? 1024 : paramPoints.front().x(),
               paramPoints.isEmpty() ? 16384 : paramPoints.back().x());
    fitLogAxis(m_alphaAxis, alphaPoints.isEmpty() ? 0.5 : alphaPoints.front().x(),
               alphaPoints.isEmpty() ? 8 : alphaPoints.back().x());

    // One accuracy scale on all three charts so rank and α effects compare by eye.
    double lo = 100.0, hi = 0.0;
    for (const SweepPoint& p : m_points)
        lo = std::min(lo, double(p.accuracy)), hi = std::max(hi, double(p.accuracy));
    if (m_points.empty()) lo = 0.0, hi = 100.0;
    lo = std::max(0.0, std::floor(lo - 1.0));
    hi = std::min(100.0, std::ceil(hi + 1.0));
    if (hi - lo < 2.0) lo = std::max(0.0, hi - 2.0);
    // A tick per percentage point while that stays readable, else every 10 or 20.
    const double step = hi - lo <= 10.0 ? 1.0 : hi - lo <= 50.0 ? 10.0 : 20.0;
    lo = std::floor(lo / step) * step;
    hi = std::ceil(hi / step) * step;
    for (QValueAxis* axis : m_accuracyAxes) {
        axis->setRange(lo, hi);
        axis->setTickCount(int(std::lround((hi - lo) / step)) + 1);
    }
}

void SweepTab::updateStatus() {
    const int n = pointCount();
    QString text;
    switch (m_state) {
    case State::Idle:
        text = tr("Ranks are trained at the current α, alphas at the current rank.");
        break;
    case State::Running:
        text = m_expected > 0 ? tr("Sweep running: %1 of %2 runs done").arg(n).arg(m_expected)
                              : tr("Sweep running: %1 runs done").arg(n);
        break;
    case State::Finished:
        text = tr("Sweep finished: %1 runs").arg(n);
        break;
    case State::Stopped:
        text = tr("Sweep stopped after %1 runs").arg(n);
        break;
    }
    if (n > 0) {
        const auto best = std::max_element(
            m_points.begin(), m_points.end(),
            [](const SweepPoint& a, const SweepPoint& b) { return a.accuracy < b.accuracy; });
        text += tr(" · best %1 % at rank %2, α %3")
                    .arg(best->accuracy, 0, 'f', 2)
                    .arg(best->rank)
                    .arg(double(best->alpha), 0, 'g', 4);
    }
    m_statusLabel->setText(text);
    updateProgress();
}

double SweepTab::etaSeconds() const {
    const int done = pointCount();
    if (done == 0 || m_expected <= 0) return std::numeric_limits<double>::quiet_NaN();
    double seconds = 0;
    for (const SweepPoint& p : m_points) seconds += p.seconds;
    return seconds / done * std::max(0, m_expected - done);
}

void SweepTab::updateProgress() {
    const int done = pointCount();
    // A replayed sweep does not know how many runs were asked for: a finished one is whole.
    const int total = m_expected > 0               ? std::max(m_expected, done)
                      : m_state == State::Finished ? done
                                                   : 0;
    m_progress->setRange(0, std::max(1, total));
    m_progress->setValue(total > 0 ? done : 0);
    const double eta = etaSeconds();
    const bool counting = m_state == State::Running && std::isfinite(eta);
    if (counting != m_etaTimer->isActive()) counting ? m_etaTimer->start() : m_etaTimer->stop();
    if (counting) {
        // Counts down between runs; a run slower than the mean so far stays at 0 until it lands.
        const double left = std::max(0.0, eta - m_sincePoint.elapsed() / 1000.0);
        m_etaLabel->setText(tr("ETA %1").arg(durationText(left)));
    } else if (m_state == State::Finished && done > 0)
        m_etaLabel->setText(tr("done"));
    else
        m_etaLabel->clear();
}
