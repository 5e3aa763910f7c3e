// adapter_slider_latency: how long a live-slider step on the active adapter takes to reach the
// Predictions panel (issue 21). A Qt program, not a ctest test: it prints one JSON line.
//
//   QT_QPA_PLATFORM=offscreen build/tests/bench/gui/adapter_slider_latency --preset P --slider S
//
// P is transfer or richboynet, S alpha or rank.
//
// The real MainWindow at 1400×860 with the Predictions tab open. transfer: seed 000's
// 784-64-2 base trained one epoch on 3 vs 4 and an r4 α1 adapter on fc1,fc2 trained 40 steps
// on 7 vs 8. richboynet: 784-1000-2000-10 base (random init, as gui_latency loads it) and an
// r64 α64 adapter on every layer trained 20 steps on all digits. Both enter as the app takes
// them in: File → Load base model's code path, then Import… of the adapter's PEFT folder.
//
// One step = the live slider moved one notch (setValue) at t0; the step ends with the last
// paint of any Predictions widget, and the flush after it, once the panel's evaluation of the
// new view has landed, plus a 40 ms quiet period in which later paints still count. The drag
// goes notch by notch from the trained value to one end of the slider, to the other end and
// back (α: 1 → 1024 → 0.25 → 1; r′: 64 → 1 → 64). grid_* times the first paint of the digit
// grid with the view's predictions: from the panel's preview of the shown digits, which comes
// ahead of the whole split's evaluation (or from that evaluation when no preview was sent).
#include "app/main_window.h"
#include "data/idx.h"
#include "docks/controls_dock.h"
#include "docks/live_adapter_box.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "nn/adapter_weights.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "tabs/predictions/predictions_tab.h"
#include "train/trainer.h"
#include "widgets/digit_grid_widget.h"
#include "widgets/scroll_page.h"

#include "event_timing.h"

#include <QCommandLineParser>
#include <QSettings>
#include <QSlider>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <cstdio>
#include <cstdlib>

namespace {

using gui_latency::ms;
using gui_latency::percentile;
using gui_latency::runFor;
using gui_latency::TimingApplication;
using gui_latency::waitUntil;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "adapter_slider_latency: %s\n", what);
    std::exit(1);
}

struct Case {
    bool rich = false;
    bool alpha = true;
};

// Base file and adapter folder under `dir`, as a user would have them on disk.
void writeModels(const Case& c, const QTemporaryDir& dir) {
    const std::vector<int> all{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    const std::vector<int> base = c.rich ? all : std::vector<int>{3, 4};
    const std::vector<int> target = c.rich ? all : std::vector<int>{7, 8};
    lora::Mlp net(c.rich ? "784-1000-2000-10" : "784-64-2");
    lora::Rng rng(c.rich ? 1 : 0);
    net.initDefault(rng);
    const lora::SplitData& data = lora::loadEmbeddedMnist();
    lora::TrainOptions options;
    if (!c.rich)
        lora::Trainer(net, options).run(lora::filterClassesRemap(data.train, base), nullptr);
    lora::saveModel(dir.filePath("base.safetensors").toStdString(), net, {base});
    const lora::Mlp plain = net;
    lora::LoraConfig config(lora::LoraSpec{c.rich ? 64 : 4, c.rich ? 64.0f : 1.0f},
                            c.rich ? std::vector<std::string>{}
                                   : std::vector<std::string>{"fc1", "fc2"});
    net.attachLora(config, rng);
    options.maxSteps = c.rich ? 20 : 40;
    lora::Trainer(net, options).run(lora::filterClassesRemap(data.train, target), nullptr);
    lora::writeAdapter(dir.filePath("adapter").toStdString(), plain, lora::extractAdapter(net),
                       lora::AdapterInfo{target, "lora-explorer", NAN});
}

struct Probe {
    PredictionsTab* panel = nullptr;
    QWidget* grid = nullptr;
    QWidget* window = nullptr;
    QElapsedTimer* clock = nullptr;
    bool armed = false, painted = false, pendingFlush = false, previewed = false;
    qint64 lastEnd = -1, gridEnd = -1;

    void after(QObject* o, QEvent::Type type) {
        if (!armed || !o->isWidgetType()) return;
        auto* w = static_cast<QWidget*>(o);
        const qint64 now = clock->nsecsElapsed();
        // The grid drawn with the view's predictions, from its preview or its full evaluation.
        if (type == QEvent::Paint && w == grid && gridEnd < 0 && (previewed || painted))
            gridEnd = now;
        if (type == QEvent::Paint && (w == panel || panel->isAncestorOf(w))) {
            lastEnd = now;
            pendingFlush = true;
            if (!panel->isEvaluating()) painted = true; // drawn with the new view's result
        } else if (type == QEvent::UpdateRequest && w == window && pendingFlush) {
            lastEnd = now;
            pendingFlush = false;
        }
    }
};

std::vector<int> dragSchedule(int start, int count) {
    std::vector<int> notches;
    for (int i = start + 1; i < count; ++i) notches.push_back(i);
    for (int i = count - 2; i >= 0; --i) notches.push_back(i);
    for (int i = 1; i <= start; ++i) notches.push_back(i);
    return notches;
}

void printResult(const Case& c, const std::vector<double>& steps, const std::vector<double>& syncs,
                 const std::vector<double>& scored, const std::vector<double>& grids) {
    std::printf(
        "{\"preset\": \"%s\", \"slider\": \"%s\", \"platform\": \"%s\", \"steps\": %zu, "
        "\"median_ms\": %.2f, \"p90_ms\": %.2f, \"max_ms\": %.2f, \"sync_median_ms\": %.2f, "
        "\"scored_median_ms\": %.2f, \"grid_median_ms\": %.2f, \"grid_p90_ms\": %.2f}\n",
        c.rich ? "richboynet" : "transfer", c.alpha ? "alpha" : "rank",
        qPrintable(QGuiApplication::platformName()), steps.size(), percentile(steps, 0.5),
        percentile(steps, 0.9), percentile(steps, 1.0), percentile(syncs, 0.5),
        percentile(scored, 0.5), percentile(grids, 0.5), percentile(grids, 0.9));
}

} // namespace

int main(int argc, char** argv) {
    TimingApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("lora-explorer-bench");
    QCoreApplication::setApplicationName("adapter_slider_latency");
    QSettings().clear();
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption preset("preset", "transfer or richboynet.", "NAME", "transfer");
    const QCommandLineOption slider("slider", "alpha or rank.", "NAME", "alpha");
    const QCommandLineOption grab("grab", "Save a PNG of the window after the drag.", "FILE");
    parser.addOption(preset);
    parser.addOption(slider);
    parser.addOption(grab);
    parser.process(app);
    const Case c{parser.value(preset) == "richboynet", parser.value(slider) == "alpha"};

    QTemporaryDir dir;
    writeModels(c, dir);
    MainWindow window;
    window.resize(1400, 860);
    ExperimentSession* session = window.session();
    session->setSettings(ExperimentSettings::forPreset(c.rich ? ExperimentPreset::FixWeakDigit
                                                              : ExperimentPreset::Transfer));
    window.show();
    if (!session->loadBase(dir.filePath("base.safetensors"))) fail("loadBase failed");
    if (!waitUntil([&] { return session->adapters()->library() != nullptr; }, 60000))
        fail("the adapter library never arrived");
    AdapterManager* adapters = session->adapters();
    if (!adapters->importAdapter(dir.filePath("adapter"))) fail("import failed");
    if (!adapters->setActiveAdapter(adapters->names().first())) fail("activate failed");
    auto* tabs = window.findChild<QTabWidget*>("panelTabs");
    showPage(tabs, window.predictionsTab()); // the tab holds it in a scroll area
    PredictionsTab* predictions = window.predictionsTab();
    LiveAdapterBox* box = window.controls()->liveBox();
    QSlider* s = box->findChild<QSlider*>(c.alpha ? "liveAlphaSlider" : "liveRankSlider");
    if (!waitUntil([&] { return !predictions->isEvaluating() && !box->isEvaluating(); }, 60000))
        fail("the window never settled");
    runFor(300);

    Probe probe{predictions, predictions->findChild<DigitGridWidget*>(), &window, &app.clock};
    QObject::connect(predictions, &PredictionsTab::previewed, [&probe] { probe.previewed = true; });
    app.clock.start();
    app.afterEvent = [&probe](QObject* o, QEvent::Type t) { probe.after(o, t); };
    std::vector<double> steps, syncs, scored, grids;
    qint64 scoredAt = -1; // when the panel took in its evaluation of the step's view
    QObject::connect(predictions, &PredictionsTab::evaluated,
                     [&] { scoredAt = app.clock.nsecsElapsed(); });
    for (int notch : dragSchedule(s->value(), s->maximum() + 1)) {
        probe.painted = probe.pendingFlush = probe.previewed = false;
        probe.lastEnd = probe.gridEnd = -1;
        probe.armed = true;
        scoredAt = -1;
        const qint64 t0 = app.clock.nsecsElapsed();
        s->setValue(notch);
        syncs.push_back(ms(app.clock.nsecsElapsed() - t0)); // the GUI thread's own part
        if (!predictions->isEvaluating()) fail("the step did not reach the Predictions panel");
        if (!waitUntil([&] { return probe.painted && !probe.pendingFlush; }, 30000, 1))
            fail("a step never finished painting");
        runFor(40);
        probe.armed = false;
        steps.push_back(ms(probe.lastEnd - t0));
        scored.push_back(ms(scoredAt - t0));
        grids.push_back(ms((probe.gridEnd >= 0 ? probe.gridEnd : probe.lastEnd) - t0));
        // The box's own scoring is part of the app's work per tick; let it land before the
        // next notch, as the panel's does.
        waitUntil([&] { return !box->isEvaluating(); }, 30000, 1);
    }
    printResult(c, steps, syncs, scored, grids);
    if (parser.isSet(grab)) {
        s->setValue(s->maximum() / 2); // a view apart from the trained adapter, then settle
        waitUntil([&] { return !predictions->isEvaluating() && !box->isEvaluating(); }, 30000);
        runFor(200);
        if (!window.grab().save(parser.value(grab))) fail("cannot save the --grab PNG");
    }
    return 0;
}
