// gui_latency: how long one rank-slider step takes to reach the screen on the Rank & SVD
// panel for a 1000×2000-sized layer. A Qt program, not a ctest test: it prints one JSON line.
//
//   QT_QPA_PLATFORM=offscreen build/tests/bench/gui/gui_latency [--mode window|panel]
//   xvfb-run -a build/tests/bench/gui/gui_latency
//
// --mode window (default): the real MainWindow at 1400×860 with a randomly initialised
//   RichBoyNet (784-1000-2000-10) loaded as the base through File → Load base model's code
//   path, "fc2 W" (2000×1000) selected, and the controls dock's rank slider moved. Everything
//   the app does per tick is included (settings round trip, parameters and predictions
//   panels, background jobs sharing the pool).
// --mode panel: a lone SvdTab at 1100×700 showing fc1 W (1000×2000) of a 2000-1000-2 MLP,
//   driven by SvdTab::setRank.
//
// One step = slider.setValue(r) (or setRank(r)) at t0, then the event loop runs until
//   * the W_r and W − W_r heatmaps have finished a paint while titled "r = <r>" (so the
//     background render job for r has landed and been drawn), and
//   * the singular-value chart's viewport has finished a paint after t0, and
//   * the backing store was flushed after the last of those paints,
// and then 40 ms more, so late repaints (queued chart scene updates, a second render pass)
// still count. The step's latency is the end of the last paint or flush of any widget of the
// SVD panel (or of the rank slider) minus t0. Paint ends are taken in QApplication::notify
// after the widget's paintEvent returned; flushes at the end of the top-level window's
// UpdateRequest. Steps run one after another: the next setValue follows the previous step's
// quiet period, like a drag whose every tick is allowed to finish.
#include "app/main_window.h"
#include "docks/controls_dock.h"
#include "io/model_file.h"
#include "nn/mlp.h"
#include "session/experiment_session.h"
#include "session/experiment_settings.h"
#include "tabs/predictions/predictions_tab.h"
#include "tabs/svd/svd_tab.h"
#include "util/rng.h"
#include "widgets/heatmap_widget.h"

#include <QApplication>
#include <QChartView>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

namespace {

constexpr int kQuietMs = 40;
constexpr int kStepTimeoutMs = 20000;
constexpr int kSetupTimeoutMs = 120000;

// Reports every finished Paint and UpdateRequest, after the receiver has handled it.
class TimingApplication : public QApplication {
public:
    using QApplication::QApplication;
    std::function<void(QObject*, QEvent::Type)> afterEvent;
    QElapsedTimer clock;
    bool traceAll = false; // --trace: events handled for ≥ 0.5 ms (all of them with TRACE_ALL=1)
    QList<QString>* traceSink = nullptr;

    bool notify(QObject* receiver, QEvent* event) override {
        const QEvent::Type type = event->type();
        const bool tracing = traceAll && traceSink;
        // Named before delivery: the receiver may delete itself while handling the event.
        const QString name =
            tracing ? QStringLiteral("%1 %2/%3%4")
                          .arg(int(type))
                          .arg(receiver->metaObject()->className())
                          .arg(receiver->objectName())
                          .arg(receiver->objectName().isEmpty() && receiver->parent()
                                   ? QStringLiteral("(in %1)").arg(receiver->parent()->objectName())
                                   : QString())
                    : QString();
        const qint64 start = clock.nsecsElapsed();
        const bool result = QApplication::notify(receiver, event);
        if ((type == QEvent::Paint || type == QEvent::UpdateRequest) && afterEvent)
            afterEvent(receiver, type);
        if (tracing) {
            const qint64 end = clock.nsecsElapsed();
            if (end - start > (qEnvironmentVariableIsSet("TRACE_ALL") ? 0 : 500000)) // ≥ 0.5 ms
                traceSink->append(QStringLiteral("%1 %2-%3")
                                      .arg(name)
                                      .arg(double(start) / 1e6, 0, 'f', 1)
                                      .arg(double(end) / 1e6, 0, 'f', 1));
        }
        return result;
    }
};

double ms(qint64 ns) {
    return double(ns) / 1e6;
}

double percentile(std::vector<double> v, double p) { // nearest rank
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const auto k = static_cast<std::size_t>(std::ceil(p * double(v.size())));
    return v[std::clamp<std::size_t>(k, 1, v.size()) - 1];
}

// Runs a real event loop (the thread sleeps in poll() while idle, as in the app) until
// `ready` holds, checked every `pollMs`; false after `timeoutMs`.
bool waitUntil(const std::function<bool()>& ready, int timeoutMs, int pollMs = 5) {
    if (ready()) return true;
    QEventLoop loop;
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
        if (ready()) loop.quit();
    });
    poll.start(pollMs);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return ready();
}

void runFor(int msToRun) {
    QEventLoop loop;
    QTimer::singleShot(msToRun, &loop, &QEventLoop::quit);
    loop.exec();
}

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "gui_latency: %s\n", what);
    std::exit(1);
}

// The drag: 1…60 one notch at a time, back down to 1 (kDragSteps), then jumps across the
// slider's range.
constexpr std::size_t kDragSteps = 60 + 59;
std::vector<int> schedule() {
    std::vector<int> ranks;
    for (int r = 1; r <= 60; ++r) ranks.push_back(r);
    for (int r = 59; r >= 1; --r) ranks.push_back(r);
    for (int r : {64, 1, 32, 8, 64, 2, 48, 16, 63, 5}) ranks.push_back(r);
    return ranks;
}

struct Probe {
    QWidget* window = nullptr;
    SvdTab* panel = nullptr;
    QWidget* extra = nullptr; // the rank slider in window mode
    HeatmapWidget *wMap = nullptr, *approx = nullptr, *diff = nullptr;
    QWidget* spectrumViewport = nullptr;
    QElapsedTimer* clock = nullptr;

    // Per step.
    QString rankSuffix;
    bool approxDone = false, diffDone = false, spectrumDone = false, pendingFlush = false;
    qint64 lastEnd = -1;
    bool wPainted = false; // ever: the window is on screen

    void reset(int rank) {
        rankSuffix = QStringLiteral("r = %1").arg(rank);
        approxDone = diffDone = spectrumDone = pendingFlush = false;
        lastEnd = -1;
    }
    bool relevant(QObject* o) const {
        if (!o->isWidgetType()) return false;
        auto* w = static_cast<QWidget*>(o);
        return w == panel || panel->isAncestorOf(w) || (extra && (w == extra));
    }
    void after(QObject* o, QEvent::Type type) {
        const qint64 now = clock->nsecsElapsed();
        if (type == QEvent::Paint) {
            if (o == wMap) wPainted = true;
            if (!relevant(o)) return;
            lastEnd = now;
            pendingFlush = true;
            if (o == approx && approx->title().endsWith(rankSuffix)) approxDone = true;
            if (o == diff && diff->title().endsWith(rankSuffix)) diffDone = true;
            if (o == spectrumViewport) spectrumDone = true;
        } else if (o == window && pendingFlush) { // UpdateRequest: paint pass + flush
            lastEnd = now;
            pendingFlush = false;
        }
        if (stepLoop && done()) stepLoop->quit();
    }
    bool done() const { return approxDone && diffDone && spectrumDone && !pendingFlush; }
    QEventLoop* stepLoop = nullptr; // quit as soon as the step is done
};

} // namespace

int main(int argc, char** argv) {
    TimingApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // the window's QSettings go to a throwaway place
    QCoreApplication::setOrganizationName("lora-explorer-bench");
    QCoreApplication::setApplicationName("gui_latency");
    QSettings().clear();

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption modeOption("mode", "window (MainWindow + slider) or panel.", "MODE",
                                        "window");
    parser.addOption(modeOption);
    const QCommandLineOption traceOption(
        "trace", "Print, per step, every event handled for ≥ 0.5 ms (all with TRACE_ALL=1) "
                 "to stderr.");
    parser.addOption(traceOption);
    const QCommandLineOption grabOption("grab", "Save a PNG of the window after the run.", "FILE");
    parser.addOption(grabOption);
    parser.process(app);
    const QString mode = parser.value(modeOption);
    if (mode != "window" && mode != "panel") fail("--mode is window or panel");

    Probe probe;
    app.clock.start();
    probe.clock = &app.clock;
    app.afterEvent = [&probe](QObject* o, QEvent::Type t) {
        if (probe.panel) probe.after(o, t);
    };

    std::unique_ptr<MainWindow> window;
    std::unique_ptr<SvdTab> lonePanel;
    QSlider* slider = nullptr;
    QString matrix;
    QTemporaryDir tmp;
    QElapsedTimer setup;
    setup.start();
    qint64 svdMs = 0;

    if (mode == "window") {
        window = std::make_unique<MainWindow>();
        window->resize(1400, 860);
        probe.window = window.get();
        probe.panel = window->svdTab();
        slider = window->controls()->findChild<QSlider*>("rankSlider");
        if (!slider) fail("no rankSlider");
        probe.extra = slider;
        ExperimentSession* session = window->session();
        session->setSettings(ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
        // A RichBoyNet base as File → Load base model would bring it: fc2 W is 2000×1000.
        lora::Mlp net("784-1000-2000-10");
        lora::Rng rng(1);
        net.initDefault(rng);
        const QString path = tmp.filePath("richboynet.safetensors");
        lora::saveModel(path.toStdString(), net, {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}});
        window->show();
        setup.restart();
        if (!session->loadBase(path)) fail("loadBase failed");
        matrix = QStringLiteral("fc2 W");
        probe.panel->selectMatrix(matrix);
    } else {
        auto net = std::make_shared<lora::Mlp>("2000-1000-2");
        lora::Rng rng(1);
        net->initDefault(rng);
        lonePanel = std::make_unique<SvdTab>();
        lonePanel->resize(1100, 700);
        probe.window = lonePanel.get();
        probe.panel = lonePanel.get();
        lonePanel->show();
        setup.restart();
        lonePanel->setModels(net, nullptr);
        matrix = QStringLiteral("fc1 W");
    }
    probe.wMap = probe.panel->findChild<HeatmapWidget*>("heatmapW");
    probe.approx = probe.panel->findChild<HeatmapWidget*>("heatmapApprox");
    probe.diff = probe.panel->findChild<HeatmapWidget*>("heatmapDiff");
    auto* spectrum = probe.panel->findChild<QChartView*>("spectrumChart");
    if (!probe.wMap || !probe.approx || !probe.diff || !spectrum) fail("panel widgets not found");
    probe.spectrumViewport = spectrum->viewport();

    SvdTab* panel = probe.panel;
    if (!waitUntil([&] { return panel->isReady() && panel->matrixName() == matrix; },
                   kSetupTimeoutMs))
        fail("the decomposition never finished");
    svdMs = setup.elapsed();
    const int rows = int(probe.wMap->matrix().rows()), cols = int(probe.wMap->matrix().cols());
    // Settle: the first rendering painted, the window exposed, evaluations of the new base done.
    auto* predictions = window ? window->predictionsTab() : nullptr;
    if (!waitUntil(
            [&] {
                return probe.wPainted &&
                       probe.approx->title().endsWith(
                           QStringLiteral("r = %1").arg(panel->rank())) &&
                       !(predictions && predictions->isEvaluating());
            },
            kSetupTimeoutMs))
        fail("the panel never settled");
    runFor(200);

    QList<QString> trace;
    app.traceAll = parser.isSet(traceOption);
    std::vector<double> total, sync;
    std::vector<double> drag, jumps;
    const std::vector<int> ranks = schedule();
    int previous = panel->rank();
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        const int r = ranks[i];
        if (r == previous) continue;
        probe.reset(r);
        trace.clear();
        app.traceSink = &trace;
        const qint64 t0 = app.clock.nsecsElapsed();
        if (slider)
            slider->setValue(r);
        else
            panel->setRank(r);
        const qint64 t1 = app.clock.nsecsElapsed();
        if (panel->rank() != r) fail("the panel did not take the rank");
        if (!probe.done()) { // no polling: the paint hook ends the loop
            QEventLoop loop;
            probe.stepLoop = &loop;
            QTimer::singleShot(kStepTimeoutMs, &loop, &QEventLoop::quit);
            loop.exec();
            probe.stepLoop = nullptr;
        }
        if (!probe.done()) {
            std::fprintf(stderr, "step to r = %d: approx %d diff %d spectrum %d flush %d\n", r,
                         probe.approxDone, probe.diffDone, probe.spectrumDone, !probe.pendingFlush);
            fail("a step never finished painting");
        }
        runFor(kQuietMs);
        app.traceSink = nullptr;
        const double stepMs = ms(probe.lastEnd - t0);
        if (app.traceAll)
            std::fprintf(stderr,
                         "r=%d t0=%.1f step %.2f ms sync %.2f ms map %dx%d panel %dx%d: %s\n", r,
                         ms(t0), stepMs, ms(t1 - t0), probe.approx->width(), probe.approx->height(),
                         panel->width(), panel->minimumSizeHint().width(),
                         qPrintable(trace.join(QStringLiteral("; "))));
        total.push_back(stepMs);
        sync.push_back(ms(t1 - t0));
        (i < kDragSteps ? drag : jumps).push_back(stepMs);
        previous = r;
    }

    const QByteArray json =
        QStringLiteral(
            "{\"mode\": \"%1\", \"platform\": \"%2\", \"matrix\": \"%3\", \"shape\": [%4, %5], "
            "\"svd_ready_ms\": %6, \"steps\": %7, \"median_ms\": %8, \"p90_ms\": %9, "
            "\"max_ms\": %10, \"drag_median_ms\": %11, \"jump_median_ms\": %12, "
            "\"jump_max_ms\": %13, \"sync_median_ms\": %14, \"sync_max_ms\": %15}")
            .arg(mode, QGuiApplication::platformName(), matrix)
            .arg(rows)
            .arg(cols)
            .arg(svdMs)
            .arg(total.size())
            .arg(percentile(total, 0.5), 0, 'f', 2)
            .arg(percentile(total, 0.9), 0, 'f', 2)
            .arg(percentile(total, 1.0), 0, 'f', 2)
            .arg(percentile(drag, 0.5), 0, 'f', 2)
            .arg(percentile(jumps, 0.5), 0, 'f', 2)
            .arg(percentile(jumps, 1.0), 0, 'f', 2)
            .arg(percentile(sync, 0.5), 0, 'f', 2)
            .arg(percentile(sync, 1.0), 0, 'f', 2)
            .toUtf8();
    std::printf("%s\n", json.constData());
    std::fflush(stdout);
    if (parser.isSet(grabOption) && !probe.window->grab().save(parser.value(grabOption)))
        fail("cannot save the --grab PNG");
    probe.panel = nullptr;
    return 0;
}
