// Edit → Undo through the real window (offscreen), on a base and two LoRA adapters trained
// there: Delete on an adapter row and Reset are undone bit for bit (weights, names, order,
// the active adapter and its merge, the recorded runs and the Training tab), Redo does them
// again, and undoing Reset after new work keeps that work for Redo. A preset change that
// drops the models is undoable, and its runs leave the Training tab and come back with the
// preset. Nothing is pushed when nothing would be lost; undo is refused while a run is on.
#include "app/main_window.h"
#include "docks/adapters_dock.h"
#include "io/model_file.h"
#include "modal_answer.h"
#include "same_bits.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "session/run_history.h"
#include "session/session_undo.h"
#include "tabs/training/training_tab.h"
#include "util/rng.h"
#include "widgets/chart_view.h"
#include "window_runs.h"

#include <QAction>
#include <QComboBox>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using lora::test::sameBits;

using lora::test::trainAndWait;

namespace {

// Everything Reset throws away, as values to compare bit for bit.
struct Kept {
    ModelPtr base, full;
    std::vector<lora::AdapterEntry> adapters;
    QString active;
    bool merged = false;
    std::shared_ptr<const lora::Mlp> model; // base + the active adapter, as the library has it
    std::vector<RecordedRun> runs;
    int drawn = 0;

    static Kept of(MainWindow& w) {
        Kept k;
        k.base = w.session()->baseModel();
        k.full = w.session()->fullModel();
        const AdapterManager* m = w.session()->adapters();
        if (const lora::AdapterLibrary* lib = m->library()) {
            k.adapters = lib->entries();
            k.model = std::make_shared<const lora::Mlp>(lib->model());
        }
        k.active = m->activeName();
        k.merged = m->isMerged();
        k.runs = w.history()->runs();
        k.drawn = w.trainingTab()->runCount();
        return k;
    }
};

bool sameEntry(const lora::AdapterEntry& a, const lora::AdapterEntry& b) {
    if (a.name != b.name || a.source != b.source || a.info.classes != b.info.classes ||
        std::memcmp(&a.info.testAccuracy, &b.info.testAccuracy, sizeof(float)) != 0 ||
        a.weights.layers.size() != b.weights.layers.size())
        return false;
    for (std::size_t i = 0; i < a.weights.layers.size(); ++i) {
        const auto &x = a.weights.layers[i], &y = b.weights.layers[i];
        if (x.layer != y.layer || !sameBits(x.A, y.A) || !sameBits(x.B, y.B) ||
            x.spec.rank != y.spec.rank || x.spec.alpha != y.spec.alpha)
            return false;
    }
    return true;
}

// `runs`: the recorded runs too (a new base leaves them as they are).
void compare(const Kept& a, const Kept& b, bool runs = true) {
    QVERIFY(a.base == b.base); // the very same snapshot, so the same bits
    QVERIFY(a.full == b.full);
    QCOMPARE(a.adapters.size(), b.adapters.size());
    for (std::size_t i = 0; i < a.adapters.size(); ++i)
        QVERIFY2(sameEntry(a.adapters[i], b.adapters[i]), a.adapters[i].name.c_str());
    QCOMPARE(a.active, b.active);
    QCOMPARE(a.merged, b.merged);
    QVERIFY(!a.model == !b.model && (!a.model || sameBits(*a.model, *b.model)));
    if (!runs) return;
    QCOMPARE(a.runs.size(), b.runs.size());
    for (std::size_t i = 0; i < a.runs.size(); ++i) {
        QCOMPARE(a.runs[i].id, b.runs[i].id);
        QCOMPARE(a.runs[i].label, b.runs[i].label);
        QCOMPARE(a.runs[i].experiment, b.runs[i].experiment);
        QVERIFY(a.runs[i].losses.size() == b.runs[i].losses.size() &&
                std::memcmp(a.runs[i].losses.data(), b.runs[i].losses.data(),
                            sizeof(float) * a.runs[i].losses.size()) == 0);
    }
    QCOMPARE(a.drawn, b.drawn);
}

void pressDelete(AdaptersDock* dock, const QString& name) {
    QTableWidget* table = dock->table();
    table->setCurrentCell(dock->rowOf(name), AdaptersDock::NameColumn);
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Delete);
}

// The preset combo as the user works it (the dock acts on `activated`, not on any change).
void choosePreset(MainWindow& w, ExperimentPreset preset) {
    auto* combo = w.findChild<QComboBox*>("presetCombo");
    const int target = combo->findData(int(preset));
    combo->setFocus();
    while (combo->currentIndex() < target) QTest::keyClick(combo, Qt::Key_Down);
    while (combo->currentIndex() > target) QTest::keyClick(combo, Qt::Key_Up);
}

// Edit → Undo as the user presses it; false if the key press undid nothing.
bool pressUndo(MainWindow& w) {
    w.activateWindow();
    if (!QTest::qWaitForWindowActive(&w)) return false;
    const int index = w.undo()->stack()->index();
    QTest::keySequence(&w, QKeySequence::Undo);
    return w.undo()->stack()->index() == index - 1;
}

} // namespace

class TestSessionUndo : public QObject {
    Q_OBJECT

    // A base, then two LoRA runs (adapters "7v8 r4 α1" and "7v8 r4 α1 2"), the second active.
    void prepare(MainWindow& w) {
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        ExperimentSettings s = w.session()->settings();
        s.fineTuneEpochs = 1;
        s.maxSteps = 30;
        QVERIFY(w.session()->setSettings(s));
        QVERIFY(trainAndWait(w, "trainBaseAction"));
        QVERIFY(trainAndWait(w, "trainLoraAction"));
        QVERIFY(trainAndWait(w, "trainLoraAction"));
        QCOMPARE(w.session()->adapters()->names().size(), 2);
        QCOMPARE(w.trainingTab()->runCount(), 3);
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_session_undo");
    }
    void init() { QSettings().clear(); }

    void editMenuHoldsUndoAndRedo() {
        MainWindow w;
        QMenu* edit = nullptr;
        for (QAction* a : w.menuBar()->actions())
            if (a->text() == "&Edit") edit = a->menu();
        QVERIFY(edit);
        QCOMPARE(edit->actions().value(0), w.action("undoAction"));
        QCOMPARE(edit->actions().value(1), w.action("redoAction"));
        QCOMPARE(w.action("undoAction")->shortcut(), QKeySequence(QKeySequence::Undo));
        QCOMPARE(w.action("redoAction")->shortcuts(),
                 QKeySequence::keyBindings(QKeySequence::Redo));
        QVERIFY(!w.action("undoAction")->isEnabled());
    }

    // Which adapter goes, and whether the other one is merged meanwhile.
    void undoDeleteRestoresTheAdapter_data() {
        QTest::addColumn<int>("row"); // 1 or 2: the first or second adapter
        QTest::addColumn<bool>("mergeOther");
        QTest::addRow("the active one") << 2 << false;
        QTest::addRow("an inactive one, the other merged") << 1 << true;
    }
    void undoDeleteRestoresTheAdapter() {
        QFETCH(int, row);
        QFETCH(bool, mergeOther);
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        AdapterManager* m = w.session()->adapters();
        if (mergeOther) QVERIFY(m->mergeActive()); // the second one, active
        const QString name = m->names()[row - 1];
        const Kept before = Kept::of(w);
        pressDelete(w.adaptersDock(), name);
        QVERIFY(!m->names().contains(name));
        QCOMPARE(w.adaptersDock()->table()->rowCount(), 2);
        QCOMPARE(w.action("undoAction")->text(), "Undo Delete adapter " + name);

        QVERIFY(pressUndo(w));
        compare(Kept::of(w), before);
        QCOMPARE(w.adaptersDock()->rowOf(name), row); // back in its place in the list
        QVERIFY(w.session()->loraModel() && sameBits(*w.session()->loraModel(), *before.model));

        QVERIFY(w.undo()->redo());
        QVERIFY(!m->names().contains(name));
        QVERIFY(w.undo()->undo());
        compare(Kept::of(w), before);
    }

    // A LoRA run after the delete takes the freed name; undo brings the deleted adapter back
    // (same weights) under the next free name instead, and the new one stays.
    void undoDeleteAfterItsNameWasTaken() {
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        AdapterManager* m = w.session()->adapters();
        const QString name = m->names()[1];
        const lora::AdapterEntry deleted = m->library()->entries()[1];
        pressDelete(w.adaptersDock(), name);
        QVERIFY(trainAndWait(w, "trainLoraAction"));
        QCOMPARE(m->names()[1], name); // the new run's adapter
        const lora::AdapterEntry newer = m->library()->entries()[1];
        QVERIFY(pressUndo(w));
        QCOMPARE(m->names(), (QStringList{m->names()[0], name + " 2", name}));
        lora::AdapterEntry back = m->library()->entries()[1];
        back.name = deleted.name;
        QVERIFY(sameEntry(back, deleted));
        QVERIFY(sameEntry(m->library()->entries()[2], newer));
        QCOMPARE(m->activeName(), name + " 2"); // it was the active one
        QVERIFY(w.undo()->redo());
        QCOMPARE(m->names(), (QStringList{m->names()[0], name}));
        QVERIFY(sameEntry(m->library()->entries()[1], newer));
    }

    void undoResetRestoresTheSession() {
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        QVERIFY(trainAndWait(w, "fullFinetuneAction"));
        QVERIFY(w.session()->adapters()->mergeActive());
        const Kept before = Kept::of(w);
        QCOMPARE(before.runs.size(), std::size_t(4));

        w.action("resetAction")->trigger();
        QVERIFY(!w.session()->baseModel());
        QVERIFY(w.history()->runs().empty());
        QCOMPARE(w.trainingTab()->runCount(), 0);
        QCOMPARE(w.action("undoAction")->text(), QString("Undo Reset"));

        QVERIFY(pressUndo(w));
        compare(Kept::of(w), before);
        QVERIFY(sameBits(*w.session()->currentModel(), *before.model));

        // Redo resets again; undo once more and it is all back.
        QVERIFY(w.undo()->redo());
        QVERIFY(!w.session()->baseModel());
        QVERIFY(w.undo()->undo());
        compare(Kept::of(w), before);
    }

    // Work done after Reset is not lost by undoing it: Redo brings it back.
    void undoResetKeepsLaterWorkForRedo() {
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        const Kept before = Kept::of(w);
        w.action("resetAction")->trigger();
        QVERIFY(trainAndWait(w, "trainBaseAction"));
        // The new base's (empty) library is copied off the GUI thread; wait for it.
        QVERIFY(QTest::qWaitFor([&] { return w.session()->adapters()->library(); }, 10000));
        const Kept after = Kept::of(w);
        QVERIFY(after.base && after.base != before.base);
        QVERIFY(w.undo()->undo());
        compare(Kept::of(w), before);
        QVERIFY(w.undo()->redo());
        compare(Kept::of(w), after);
    }

    // A second base, trained or loaded through File → Load base model…, replaces the first
    // with its adapters; undo brings them back (the curves stay either way), redo the new.
    void newBaseIsUndoable_data() {
        QTest::addColumn<QString>("how");
        QTest::addRow("trained") << "Train base";
        QTest::addRow("loaded") << "Load base";
    }
    void newBaseIsUndoable() {
        QFETCH(QString, how);
        QTemporaryDir tmp;
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        const Kept before = Kept::of(w);
        if (how == "Train base") {
            QVERIFY(trainAndWait(w, "trainBaseAction"));
        } else {
            const QString path = tmp.filePath("other.safetensors");
            lora::Mlp other("784-32-2");
            lora::Rng rng(5);
            other.initDefault(rng);
            lora::saveModel(path.toStdString(), other, {{3, 4}});
            lora::test::ModalAnswerer answerer({lora::test::chooseFile(path)});
            w.action("loadBaseAction")->trigger();
            QCOMPARE(answerer.seen(), QStringList{"QFileDialog"});
            QCOMPARE(w.session()->settings().architecture, std::string("784-32-2"));
        }
        QVERIFY(w.session()->baseModel() != before.base);
        QVERIFY(w.session()->adapters()->names().isEmpty());
        QVERIFY(QTest::qWaitFor([&] { return w.session()->adapters()->library(); }, 10000));
        const Kept after = Kept::of(w);
        QCOMPARE(w.action("undoAction")->text(), "Undo " + how);
        QVERIFY(pressUndo(w));
        compare(Kept::of(w), before, false);
        QCOMPARE(w.session()->settings().architecture, std::string("784-64-2"));
        QVERIFY(w.undo()->redo());
        compare(Kept::of(w), after, false);
    }

    // The preset combo drops the base and adapters; undo brings them back, and the Training
    // tab and its CSV only ever show the current experiment's runs.
    void presetChangeIsUndoable() {
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        const Kept before = Kept::of(w);
        choosePreset(w, ExperimentPreset::FixWeakDigit);
        QCOMPARE(w.session()->settings().preset, ExperimentPreset::FixWeakDigit);
        QVERIFY(!w.session()->baseModel());
        QCOMPARE(w.trainingTab()->runCount(), 0);
        QVERIFY(!w.trainingTab()->lossChart()->csv().contains("base 784-64-2"));
        QCOMPARE(w.history()->runs().size(), std::size_t(3)); // kept, not drawn

        QVERIFY(pressUndo(w));
        QCOMPARE(w.session()->settings().preset, ExperimentPreset::Transfer);
        auto* combo = w.findChild<QComboBox*>("presetCombo");
        QCOMPARE(combo->currentData().toInt(), int(ExperimentPreset::Transfer));
        compare(Kept::of(w), before);
    }

    // Clear runs forgets this experiment's runs only, and undo brings them back.
    void clearRunsIsUndoable() {
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        const Kept before = Kept::of(w);
        QPushButton* clear = w.trainingTab()->clearButton();
        QVERIFY(clear->isEnabled());
        clear->click();
        QCOMPARE(w.trainingTab()->runCount(), 0);
        QVERIFY(w.history()->runs().empty());
        QVERIFY(w.session()->baseModel() == before.base); // models stay
        QVERIFY(pressUndo(w));
        compare(Kept::of(w), before);
    }

    // An empty session: Reset, a preset change and Clear runs lose nothing, so nothing is
    // pushed and nothing counts as unsaved.
    void nothingToLoseNothingPushed() {
        MainWindow w;
        w.action("resetAction")->trigger();
        choosePreset(w, ExperimentPreset::FixWeakDigit);
        QCOMPARE(w.session()->settings().preset, ExperimentPreset::FixWeakDigit);
        QCOMPARE(w.undo()->stack()->count(), 0);
        QVERIFY(!w.action("undoAction")->isEnabled());
        QVERIFY(!w.undo()->hasUnsavedWork());
    }

    void undoIsRefusedWhileRunning() {
        MainWindow w;
        prepare(w);
        if (QTest::currentTestFailed()) return;
        w.action("resetAction")->trigger();
        ExperimentSettings s = w.session()->settings();
        s.baseEpochs = 20; // long enough to be caught running
        QVERIFY(w.session()->setSettings(s));
        w.action("trainBaseAction")->trigger();
        QVERIFY(w.session()->isRunning());
        QVERIFY(!w.undo()->undo());
        QVERIFY(w.lastError().contains("stop it before undoing"));
        QCOMPARE(w.undo()->stack()->index(), 1);
        w.session()->stop();
        QVERIFY(QTest::qWaitFor([&] { return !w.session()->isRunning(); }, 30000));
        QVERIFY(w.undo()->undo());
        QCOMPARE(w.session()->adapters()->names().size(), 2);
    }
};

QTEST_MAIN(TestSessionUndo)
#include "tst_session_undo.moc"
