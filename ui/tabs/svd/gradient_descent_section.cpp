#include "tabs/svd/gradient_descent_section.h"

#include "jobs/background_pool.h"
#include "linalg/gd_approximation.h"
#include "linalg/truncated_svd.h"
#include "util/error.h"
#include "widgets/chart_view.h"

#include <QChart>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>
#include <exception>

namespace {
constexpr float kLearningRate = 0.01f;
constexpr int kUiIntervalMs = 33; // ≤ 30 chart updates per second
} // namespace

struct GradientDescentSection::Job {
    int generation = 0;
    lora::GdApproxResult result;
    QString error;
};

GradientDescentSection::GradientDescentSection(QWidget* parent) : QWidget(parent) {
    m_button = new QPushButton(tr("Run gradient descent"), this);
    m_button->setObjectName("gdButton");
    m_button->setToolTip(tr("Seed 002: learn B A ≈ W (rank max(1, r)) with Adam, lr 0.01, "
                            "1000 steps, and compare with the truncated SVD"));
    m_status = new QLabel(this);
    m_status->setObjectName("gdStatusLabel");
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setWordWrap(true);
    m_status->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    m_status->setText(tr("B A ≈ W at rank max(1, r): Adam, lr 0.01, 1000 steps"));

    auto* gd = new QChart;
    gd->setTitle(tr("Seed 002: gradient descent vs SVD"));
    gd->legend()->setAlignment(Qt::AlignBottom);
    m_series = new QLineSeries;
    m_series->setName(tr("Adam, lr 0.01"));
    m_optimumSeries = new QLineSeries;
    m_optimumSeries->setName(tr("SVD optimum"));
    m_optimumSeries->setPen(QPen(QColor(178, 24, 43), 1.5, Qt::DashLine));
    m_x = new QValueAxis;
    m_x->setTitleText(tr("step"));
    m_x->setLabelFormat("%d");
    m_x->setRange(0, kSteps);
    m_y = new QValueAxis;
    m_y->setTitleText(tr("MSE"));
    m_y->setLabelFormat("%.3g");
    gd->addAxis(m_x, Qt::AlignBottom);
    gd->addAxis(m_y, Qt::AlignLeft);
    for (QLineSeries* s : {m_series, m_optimumSeries}) {
        gd->addSeries(s);
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chart = new ChartView(gd, this);
    m_chart->setObjectName("gdChart");

    auto* bar = new QHBoxLayout;
    bar->addWidget(m_button);
    bar->addWidget(m_status, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_chart, 1);

    m_watcher = new QFutureWatcher<JobPtr>(this);
    connect(m_watcher, &QFutureWatcherBase::finished, this, &GradientDescentSection::onFinished);
    connect(m_button, &QPushButton::clicked, this, [this] {
        if (m_running)
            m_stop.request_stop(); // onFinished shows where it stopped
        else
            emit runRequested();
    });
}

GradientDescentSection::~GradientDescentSection() {
    stop(); // the worker posts progress to this object, so it must end before we do
}

void GradientDescentSection::stop() {
    m_stop.request_stop();
    m_watcher->waitForFinished();
    m_stop = std::stop_source();
}

void GradientDescentSection::clear(const QString& name) {
    stop();
    ++m_generation; // the stopped run's last posts and its result are dropped
    setRunning(false);
    m_points.clear();
    m_series->clear();
    m_optimumSeries->clear();
    m_y->setRange(0, 1);
    m_chart->chart()->setTitle(tr("Gradient descent on %1").arg(name));
    m_status->setText(tr("B A ≈ W at rank max(1, r): Adam, lr 0.01, 1000 steps"));
}

void GradientDescentSection::run(MatrixSource matrix, int rank, const QString& name,
                                 double optimum) {
    lora::GdApproxOptions options;
    options.rank = rank;
    options.steps = kSteps;
    options.learningRate = kLearningRate;

    // A run in progress posts to this view: stop it (within one step) before replacing it.
    stop();
    const int generation = ++m_generation;
    m_points.clear();
    m_points.reserve(kSteps + 1);
    m_series->clear();
    m_optimumSeries->clear();
    if (std::isfinite(optimum))
        m_optimumSeries->replace({{0.0, optimum}, {double(kSteps), optimum}});
    m_chart->chart()->setTitle(tr("Gradient descent on %1 at rank %2").arg(name).arg(rank));
    m_status->setText(tr("running on %1…").arg(name));
    setRunning(true);

    m_watcher->setFuture(runInBackground(
        [this, matrix = std::move(matrix), options, generation, stop = m_stop.get_token()] {
            auto job = std::make_shared<Job>();
            job->generation = generation;
            QList<QPointF> batch;
            QElapsedTimer clock;
            clock.start();
            auto post = [&] {
                QMetaObject::invokeMethod(
                    this, [this, generation, batch] { appendPoints(generation, batch); },
                    Qt::QueuedConnection);
                batch.clear();
            };
            auto onStep = [&](int step, double loss) {
                batch.append({double(step), loss});
                if (clock.elapsed() < kUiIntervalMs) return;
                clock.restart();
                post();
            };
            try {
                const lora::Matrix w = matrix();
                // B = 0 at the start, so the first loss is mean(W²): the curve starts at once.
                batch.append({0.0, w.cast<double>().squaredNorm() / static_cast<double>(w.size())});
                post();
                job->result = lora::approximateByGradientDescent(w, options, onStep, stop);
            } catch (const std::exception& e) {
                job->error = QString::fromStdString(lora::errorText(e));
            }
            return job;
        }));
}

void GradientDescentSection::setRunning(bool running) {
    m_running = running;
    m_button->setText(running ? tr("Stop gradient descent") : tr("Run gradient descent"));
}

void GradientDescentSection::appendPoints(int generation, const QList<QPointF>& points) {
    if (generation != m_generation || points.isEmpty()) return;
    if (m_points.isEmpty()) {
        const double initial = points.front().y();
        m_y->setRange(0, initial > 0 ? initial * 1.05 : 1.0);
        m_y->applyNiceNumbers();
    }
    m_points.append(points);
    m_series->replace(m_points);
    m_status->setText(tr("step %1 of %2…").arg(int(m_points.back().x())).arg(kSteps));
}

void GradientDescentSection::onFinished() {
    if (!m_watcher->isFinished()) return;
    const JobPtr job = m_watcher->result();
    if (!job || job->generation != m_generation) return;
    setRunning(false);
    m_stop = std::stop_source();
    if (!job->error.isEmpty()) {
        m_status->setText(tr("gradient descent failed: %1").arg(job->error.toHtmlEscaped()));
        return;
    }
    const lora::GdApproxResult& r = job->result;
    // The final curve is authoritative; streamed batches may have been throttled away.
    m_points.clear();
    for (std::size_t i = 0; i < r.curve.size(); ++i) m_points.append({double(i), r.curve[i]});
    m_series->replace(m_points);
    m_optimumSeries->replace({{0.0, r.svdLoss}, {double(kSteps), r.svdLoss}});
    if (r.stopped) {
        m_status->setText(
            tr("stopped after step %1: GD <b>%2</b> vs SVD optimum <b>%3</b>")
                .arg(r.curve.size() - 1)
                .arg(QString::number(r.gdLoss, 'g', 5), QString::number(r.svdLoss, 'g', 5)));
        return;
    }
    QString gap = QStringLiteral("∞: the optimum is 0");
    if (std::isfinite(r.gapPercent))
        gap = std::abs(r.gapPercent) < 0.01 ? QStringLiteral("&lt; 0.01 %")
                                            : QString::number(r.gapPercent, 'f', 2) + " %";
    m_status->setText(
        tr("GD <b>%1</b> vs SVD optimum <b>%2</b> (gap %3)")
            .arg(QString::number(r.gdLoss, 'g', 5), QString::number(r.svdLoss, 'g', 5), gap));
    emit finished(r.gdLoss, r.svdLoss);
}
