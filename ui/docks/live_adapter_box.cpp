#include "docks/live_adapter_box.h"

#include "docks/rank_accuracy_chart.h"
#include "jobs/background_pool.h"
#include "session/adapter_manager.h"
#include "train/evaluate.h"
#include "util/error.h"
#include "widgets/log_steps.h"

#include <QGridLayout>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <cmath>
#include <exception>
#include <limits>

LiveAdapterBox::LiveAdapterBox(AdapterManager* adapters, QWidget* parent)
    : QGroupBox(tr("Active adapter — live"), parent), m_adapters(adapters),
      m_alphaSteps(logsteps::alphas()), m_accuracy(std::numeric_limits<double>::quiet_NaN()) {
    setObjectName("liveAdapterBox");
    auto* grid = new QGridLayout(this);
    m_name = new QLabel;
    m_name->setObjectName("liveAdapterName");
    m_alpha = new QSlider(Qt::Horizontal);
    m_alpha->setObjectName("liveAlphaSlider");
    m_alpha->setRange(0, static_cast<int>(m_alphaSteps.size()) - 1);
    m_alpha->setToolTip(tr("α of the active adapter, applied now: its update s·BA scales with "
                           "α. Log-spaced, %1…%2.")
                            .arg(logsteps::kMinAlpha)
                            .arg(logsteps::kMaxAlpha));
    m_rank = new QSlider(Qt::Horizontal);
    m_rank->setObjectName("liveRankSlider");
    m_rank->setRange(0, 0); // notches arrive with an adapter
    m_rank->setToolTip(tr("r′: keep only the best rank-r′ part of each layer's s·BA (its "
                          "truncated SVD), applied now. How much rank did the adapter need?"));
    m_alphaValue = new QLabel;
    m_rankValue = new QLabel;
    m_alphaValue->setObjectName("liveAlphaValue");
    m_rankValue->setObjectName("liveRankValue");
    const int lineHeight = m_alphaValue->sizeHint().height();
    for (QLabel* l : {m_alphaValue, m_rankValue}) l->setFixedSize(56, lineHeight);
    m_resetButton = new QPushButton(tr("As trained"));
    m_resetButton->setObjectName("liveResetButton");
    m_note = new QLabel;
    m_note->setObjectName("liveNote");
    m_note->setWordWrap(true);
    m_accuracyLabel = new QLabel;
    m_accuracyLabel->setObjectName("liveAccuracyLabel");
    m_chart = new RankAccuracyChart;
    m_chart->setObjectName("rankAccuracyChart");
    m_chart->setMinimumHeight(150);
    grid->addWidget(m_name, 0, 0, 1, 3);
    grid->addWidget(new QLabel(tr("α")), 1, 0);
    grid->addWidget(m_alpha, 1, 1);
    grid->addWidget(m_alphaValue, 1, 2);
    grid->addWidget(new QLabel(tr("r′")), 2, 0);
    grid->addWidget(m_rank, 2, 1);
    grid->addWidget(m_rankValue, 2, 2);
    grid->addWidget(m_accuracyLabel, 3, 0, 1, 2);
    grid->addWidget(m_resetButton, 3, 2);
    grid->addWidget(m_chart, 4, 0, 1, 3);
    grid->addWidget(m_note, 5, 0, 1, 3);

    connect(m_alpha, &QSlider::valueChanged, this, &LiveAdapterBox::sliderMoved);
    connect(m_rank, &QSlider::valueChanged, this, &LiveAdapterBox::sliderMoved);
    connect(m_resetButton, &QPushButton::clicked, this, [this] {
        const AdapterLiveView& v = m_adapters->liveView();
        m_adapters->setView(v.trainedAlpha(), v.trainedRank());
    });
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &LiveAdapterBox::onEvaluated);
    m_delay.setSingleShot(true);
    m_delay.setInterval(kScoreDelayMs);
    connect(&m_delay, &QTimer::timeout, this, &LiveAdapterBox::startScoring);
    connect(m_adapters, &AdapterManager::viewChanged, this, [this] {
        showView();
        evaluate(); // a finished run's adapter arrives without activeModelChanged
    });
    // Merge, Unmerge and a new snapshot of the same view also change what is scored.
    connect(m_adapters, &AdapterManager::activeModelChanged, this, &LiveAdapterBox::evaluate);
    connect(m_adapters, &AdapterManager::adaptersChanged, this, &LiveAdapterBox::showView);
    showView();
    evaluate();
}

int LiveAdapterBox::alphaToSlider(float alpha) const {
    return logsteps::nearest(m_alphaSteps, alpha);
}

int LiveAdapterBox::rankToSlider(int rank) const {
    return logsteps::nearest(m_rankSteps, rank);
}

void LiveAdapterBox::showView() {
    const AdapterLiveView& v = m_adapters->liveView();
    const bool has = v.hasAdapter() && m_adapters->activeModel();
    for (QWidget* w : {static_cast<QWidget*>(m_alpha), static_cast<QWidget*>(m_rank),
                       static_cast<QWidget*>(m_resetButton)})
        w->setEnabled(has);
    if (!has) {
        m_name->setText(tr("No active adapter: train LoRA or choose one under Adapters."));
        m_note->clear();
        m_alphaValue->clear();
        m_rankValue->clear();
        m_accuracyLabel->clear();
        m_accuracy = std::numeric_limits<double>::quiet_NaN();
        m_requested.reset();
        m_pending = false;
        m_delay.stop();
        m_chart->clear(1);
        m_chartAlpha = 0;
        return;
    }
    const QSignalBlocker blockAlpha(m_alpha), blockRank(m_rank);
    if (m_rankSteps.empty() || m_rankSteps.back() != v.trainedRank()) {
        m_rankSteps = logsteps::ranks(v.trainedRank());
        m_rank->setRange(0, static_cast<int>(m_rankSteps.size()) - 1);
    }
    m_alpha->setValue(alphaToSlider(v.alpha()));
    m_rank->setValue(rankToSlider(v.rank()));
    m_alphaValue->setText(QString::number(v.alpha(), 'g', 4));
    m_rankValue->setText(tr("%1 / %2").arg(v.rank()).arg(v.trainedRank()));
    m_name->setText(tr("%1%2").arg(m_adapters->activeName(),
                                   m_adapters->isMerged() ? tr(" (merged)") : QString()));
    m_note->setText(v.isTrained()
                        ? tr("Trained α %1, r %2. These sliders act on the panels now; the "
                             "next run's r and α are set above.")
                              .arg(v.trainedAlpha())
                              .arg(v.trainedRank())
                        : tr("Shown at α %1, r′ %2 — a view only: export, merge reports and "
                             "saved sessions keep the trained α %3, r %4.")
                              .arg(v.alpha())
                              .arg(v.rank())
                              .arg(v.trainedAlpha())
                              .arg(v.trainedRank()));
    if (m_chartAlpha != v.alpha()) {
        m_chart->clear(v.trainedRank());
        m_chartAlpha = v.alpha();
    }
    m_chart->markRank(v.rank());
}

void LiveAdapterBox::sliderMoved() {
    if (m_rankSteps.empty() || !m_adapters->liveView().hasAdapter()) return; // nothing to act on
    const float alpha = m_alphaSteps[static_cast<std::size_t>(m_alpha->value())];
    const int rank = m_rankSteps[static_cast<std::size_t>(m_rank->value())];
    if (!m_adapters->setView(alpha, rank)) showView(); // refused: the sliders go back
}

void LiveAdapterBox::evaluate() {
    const ModelPtr model = m_adapters->activeModel();
    if (!model || !m_adapters->liveView().hasAdapter() || model == m_requested) return;
    m_requested = model;
    m_pending = true;
    // Scored a moment later: the Predictions panel's evaluation of the same tick goes first,
    // and a fast drag is scored once where it rests rather than at every notch it passed.
    m_delay.start();
}

void LiveAdapterBox::startScoring() {
    if (m_watcher.isRunning()) {
        m_stale = true; // scored again when the running one ends: only the latest view counts
        return;
    }
    m_stale = false;
    const AdapterLiveView& v = m_adapters->liveView();
    const ModelPtr model = m_adapters->activeModel();
    AdapterManager::ScoringTask task;
    try {
        if (!model || !v.hasAdapter()) throw lora::InputError("no adapter is active");
        task = m_adapters->activeScoringTask();
    } catch (const std::exception&) {
        m_pending = false;
        m_accuracyLabel->setText(tr("not scored: the data do not fit the adapter's task"));
        return;
    }
    m_evaluatingRank = v.rank();
    m_evaluatingAlpha = v.alpha();
    m_accuracyLabel->setText(tr("scoring α %1, r′ %2…").arg(v.alpha()).arg(v.rank()));
    // The Predictions panel asks the same cache for the same snapshot: whichever comes second
    // waits for the first one's pass instead of running its own. The split is cut (once) in
    // the job too: copying 2,000 images would cost the GUI thread ~2 ms.
    m_watcher.setFuture(
        runInBackground([model, task = std::move(task), cache = m_adapters->evaluations()] {
            try {
                return static_cast<double>(
                    cache->evaluation(model, false, task.data, task.classes)->accuracy);
            } catch (const std::exception&) {
                return std::numeric_limits<double>::quiet_NaN(); // an empty split
            }
        }));
}

void LiveAdapterBox::onEvaluated() {
    if (m_stale) {
        startScoring();
        return;
    }
    if (m_delay.isActive()) return; // a newer view waits for its turn
    m_pending = false;
    const AdapterLiveView& v = m_adapters->liveView();
    if (!v.hasAdapter() || v.rank() != m_evaluatingRank || v.alpha() != m_evaluatingAlpha) return;
    m_accuracy = m_watcher.result();
    m_accuracyLabel->setText(tr("accuracy %1 %").arg(m_accuracy, 0, 'f', 2));
    if (m_chartAlpha == v.alpha()) m_chart->addPoint(v.rank(), m_accuracy);
    m_chart->markRank(v.rank());
    emit evaluated(m_accuracy);
}
