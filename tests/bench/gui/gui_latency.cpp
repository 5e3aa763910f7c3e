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

#include "event_timing.h"

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

using gui_latency::ms;
using gui_latency::percentile;
using gui_latency::runFor;
using gui_latency::TimingApplication;
using gui_latency::waitUntil;

constexpr int kQuietMs = 40;
constexpr int kStepTimeoutMs = 20000;
constexpr int kSetupTimeoutMs = 120000;

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

struct Options {
    QString mode;
    bool trace = false;
    QString grab; // empty: no PNG
};

Options parseOptions(const QApplication& app) {
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
    Options o{parser.value(modeOption), parser.isSet(traceOption),
              parser.isSet(grabOption) ? parser.value(grabOption) : QString()};
    if (o.mode != "window" && o.mode != "panel") fail("--mode is window or panel");
    return o;
}

// What the steps drive: the real window with its rank slider, or a lone panel.
struct Subject {
    std::unique_ptr<MainWindow> window;
    std::unique_ptr<SvdTab> lonePanel;
    QSlider* slider = nullptr; // window mode only
    QString matrix;
    QTemporaryDir tmp;
};

// --mode window; `setup` restarts when the base starts loading.
void setUpWindow(Subject& s, Probe& probe, QElapsedTimer& setup) {
    s.window = std::make_unique<MainWindow>();
    s.window->resize(1400, 860);
    probe.window = s.window.get();
    probe.panel = s.window->svdTab();
    s.slider = s.window->controls()->findChild<QSlider*>("rankSlider");
    if (!s.slider) fail("no rankSlider");
    probe.extra = s.slider;
    ExperimentSession* session = s.window->session();
    session->setSettings(ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
    // A RichBoyNet base as File → Load base model would bring it: fc2 W is 2000×1000.
    lora::Mlp net("784-1000-2000-10");
    lora::Rng rng(1);
    net.initDefault(rng);
    const QString path = s.tmp.filePath("richboynet.safetensors");
    lora::saveModel(path.toStdString(), net, {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}});
    s.window->show();
    setup.restart();
    if (!session->loadBase(path)) fail("loadBase failed");
    s.matrix = QStringLiteral("fc2 W");
    probe.panel->selectMatrix(s.matrix);
}

// --mode panel; `setup` restarts when the models are handed to the panel.
void setUpPanel(Subject& s, Probe& probe, QElapsedTimer& setup) {
    auto net = std::make_shared<lora::Mlp>("2000-1000-2");
    lora::Rng rng(1);
    net->initDefault(rng);
    s.lonePanel = std::make_unique<SvdTab>();
    s.lonePanel->resize(1100, 700);
    probe.window = s.lonePanel.get();
    probe.panel = s.lonePanel.get();
    s.lonePanel->show();
    setup.restart();
    s.lonePanel->setModels(net, nullptr);
    s.matrix = QStringLiteral("fc1 W");
}

struct SetupFigures {
    qint64 svdMs = 0; // setup start → decomposition ready
    int rows = 0, cols = 0;
};

// Waits for the decomposition, then for the first rendering painted, the window exposed and
// the evaluations of a new base done.
SetupFigures settle(Probe& probe, const Subject& s, const QElapsedTimer& setup) {
    probe.wMap = probe.panel->findChild<HeatmapWidget*>("heatmapW");
    probe.approx = probe.panel->findChild<HeatmapWidget*>("heatmapApprox");
    probe.diff = probe.panel->findChild<HeatmapWidget*>("heatmapDiff");
    auto* spectrum = probe.panel->findChild<QChartView*>("spectrumChart");
    if (!probe.wMap || !probe.approx || !probe.diff || !spectrum) fail("panel widgets not found");
    probe.spectrumViewport = spectrum->viewport();

    SvdTab* panel = probe.panel;
    if (!waitUntil([&] { return panel->isReady() && panel->matrixName() == s.matrix; },
                   kSetupTimeoutMs))
        fail("the decomposition never finished");
    SetupFigures figures;
    figures.svdMs = setup.elapsed();
    figures.rows = int(probe.wMap->matrix().rows());
    figures.cols = int(probe.wMap->matrix().cols());
    auto* predictions = s.window ? s.window->predictionsTab() : nullptr;
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
    return figures;
}

struct StepTimes {
    double stepMs = 0; // setValue → end of the last paint or flush
    double syncMs = 0; // setValue's own duration
};

// One step to rank r, measured as the header describes.
StepTimes measureStep(TimingApplication& app, Probe& probe, QSlider* slider, int r) {
    SvdTab* panel = probe.panel;
    QList<QString> trace;
    probe.reset(r);
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
        std::fprintf(stderr, "r=%d t0=%.1f step %.2f ms sync %.2f ms map %dx%d panel %dx%d: %s\n",
                     r, ms(t0), stepMs, ms(t1 - t0), probe.approx->width(), probe.approx->height(),
                     panel->width(), panel->minimumSizeHint().width(),
                     qPrintable(trace.join(QStringLiteral("; "))));
    return {stepMs, ms(t1 - t0)};
}

struct Timings {
    std::vector<double> total, sync, drag, jumps;
};

Timings measureSchedule(TimingApplication& app, Probe& probe, QSlider* slider) {
    Timings t;
    const std::vector<int> ranks = schedule();
    int previous = probe.panel->rank();
    for (std::size_t i = 0; i < ranks.size(); ++i) {
        const int r = ranks[i];
        if (r == previous) continue;
        const StepTimes step = measureStep(app, probe, slider, r);
        t.total.push_back(step.stepMs);
        t.sync.push_back(step.syncMs);
        (i < kDragSteps ? t.drag : t.jumps).push_back(step.stepMs);
        previous = r;
    }
    return t;
}

QByteArray resultJson(const QString& mode, const QString& matrix, const SetupFigures& setup,
                      const Timings& t) {
    return QStringLiteral(
               "{\"mode\": \"%1\", \"platform\": \"%2\", \"matrix\": \"%3\", \"shape\": [%4, %5], "
               "\"svd_ready_ms\": %6, \"steps\": %7, \"median_ms\": %8, \"p90_ms\": %9, "
               "\"max_ms\": %10, \"drag_median_ms\": %11, \"jump_median_ms\": %12, "
               "\"jump_max_ms\": %13, \"sync_median_ms\": %14, \"sync_max_ms\": %15}")
        .arg(mode, QGuiApplication::platformName(), matrix)
        .arg(setup.rows)
        .arg(setup.cols)
        .arg(setup.svdMs)
        .arg(t.total.size())
        .arg(percentile(t.total, 0.5), 0, 'f', 2)
        .arg(percentile(t.total, 0.9), 0, 'f', 2)
        .arg(percentile(t.total, 1.0), 0, 'f', 2)
        .arg(percentile(t.drag, 0.5), 0, 'f', 2)
        .arg(percentile(t.jumps, 0.5), 0, 'f', 2)
        .arg(percentile(t.jumps, 1.0), 0, 'f', 2)
        .arg(percentile(t.sync, 0.5), 0, 'f', 2)
        .arg(percentile(t.sync, 1.0), 0, 'f', 2)
        .toUtf8();
}

} // namespace

int main(int argc, char** argv) {
    TimingApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // the window's QSettings go to a throwaway place
    QCoreApplication::setOrganizationName("lora-explorer-bench");
    QCoreApplication::setApplicationName("gui_latency");
    QSettings().clear();
    const Options options = parseOptions(app);

    Probe probe;
    app.clock.start();
    probe.clock = &app.clock;
    app.afterEvent = [&probe](QObject* o, QEvent::Type t) {
        if (probe.panel) probe.after(o, t);
    };

    Subject subject;
    QElapsedTimer setup;
    setup.start();
    if (options.mode == "window")
        setUpWindow(subject, probe, setup);
    else
        setUpPanel(subject, probe, setup);
    const SetupFigures figures = settle(probe, subject, setup);

    app.traceAll = options.trace;
    const Timings timings = measureSchedule(app, probe, subject.slider);
    std::printf("%s\n", resultJson(options.mode, subject.matrix, figures, timings).constData());
    std::fflush(stdout);
    if (!options.grab.isEmpty() && !probe.window->grab().save(options.grab))
        fail("cannot save the --grab PNG");
    probe.panel = nullptr;
    return 0;
}
