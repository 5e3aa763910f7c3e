// undo_latency: how long Edit → Undo and Redo hold the GUI thread on RichBoyNet
// (784-1000-2000-10, 2.8 M weights) with four rank-8 adapters, the second merged. A Qt
// program, not a ctest test: it prints one JSON line of medians over --rounds rounds.
//
//   QT_QPA_PLATFORM=offscreen build/tests/bench/gui/undo_latency [--rounds 7]
//
// Each round times, from the call until it returns (the window's own slots included):
//   reset        Reset: snapshot of models, adapters and runs, then the reset
//   undo_reset   Undo of it: the session restored, the adapter library rebuilt (the base
//                copied and the merged adapter merged again), the curves replayed
//   redo_reset   Redo: the swap the other way
//   delete       Delete on an inactive adapter; undo_delete puts it back in its place
#include "app/main_window.h"
#include "io/model_file.h"
#include "nn/mlp.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "session/session_undo.h"
#include "util/rng.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "undo_latency: %s\n", what);
    std::exit(1);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double timed(const std::function<void()>& step) {
    QElapsedTimer t;
    t.start();
    step();
    return static_cast<double>(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("lora-explorer-bench");
    QCoreApplication::setApplicationName("undo_latency");
    QSettings().clear();
    QCommandLineParser parser;
    parser.addOption({"rounds", "Rounds to take the median of.", "n", "7"});
    parser.process(app);
    const int rounds = std::max(1, parser.value("rounds").toInt());

    QTemporaryDir tmp;
    MainWindow w;
    w.resize(1400, 860);
    w.show();
    ExperimentSession* session = w.session();
    session->setSettings(ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit));
    lora::Mlp net("784-1000-2000-10");
    lora::Rng rng(1);
    net.initDefault(rng);
    const QString path = tmp.filePath("richboynet.safetensors");
    lora::saveModel(path.toStdString(), net, {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}});
    if (!session->loadBase(path)) fail("loadBase failed");
    AdapterManager* adapters = session->adapters();
    if (!QTest::qWaitFor([&] { return adapters->library(); }, 60000)) fail("no library");
    for (int i = 0; i < 4; ++i) {
        lora::Mlp model = net;
        lora::LoraConfig config;
        config.spec.rank = 8;
        config.spec.alpha = 8;
        lora::Rng seed(10 + i);
        model.attachLora(config, seed);
        adapters->addTrained(std::make_shared<const lora::Mlp>(std::move(model)), 50.0f);
    }
    if (!adapters->setActiveAdapter(adapters->names()[1]) || !adapters->mergeActive())
        fail("merge failed");

    SessionUndo* undo = w.undo();
    std::map<std::string, std::vector<double>> ms;
    for (int r = 0; r < rounds; ++r) {
        ms["reset"].push_back(timed([&] { w.action("resetAction")->trigger(); }));
        ms["undo_reset"].push_back(timed([&] { undo->undo(); }));
        ms["redo_reset"].push_back(timed([&] { undo->redo(); }));
        if (!undo->undo() || adapters->names().size() != 4) fail("undo of Reset lost work");
        const QString first = adapters->names()[0];
        ms["delete"].push_back(timed([&] { undo->removeAdapter(first); }));
        ms["undo_delete"].push_back(timed([&] { undo->undo(); }));
        if (adapters->names()[0] != first) fail("undo of Delete lost the adapter");
        QCoreApplication::processEvents();
    }
    std::printf("{\"model\": \"784-1000-2000-10\", \"adapters\": 4, \"rounds\": %d", rounds);
    for (const auto& [name, values] : ms)
        std::printf(", \"%s_ms\": %.1f", name.c_str(), median(values));
    std::printf("}\n");
    return 0;
}
