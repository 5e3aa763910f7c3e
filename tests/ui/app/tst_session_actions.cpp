// File → Save session / Open session / Open recent through the real window (offscreen):
// a second window opened on a saved session shows the same settings, models (bit for bit),
// adapters, LoRA toggle, curves, sweep, panel controls and tab; a broken session is refused
// with its message in a dialog and leaves the window exactly as it was.
#include "app/insight_tabs.h"
#include "app/main_window.h"
#include "app/session_actions.h"
#include "persistence/control_values.h"
#include "persistence/run_history_json.h"
#include "same_bits.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "tabs/forgetting/forgetting_tab.h"
#include "tabs/subspace/subspace_tab.h"
#include "tabs/sweep/sweep_tab.h"
#include "tabs/training/training_tab.h"
#include "tabs/variants/variants_tab.h"
#include "window_runs.h"

#include <QAction>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using lora::test::sameBits;

using lora::test::trainAndWait;

namespace {

// One fine-tuning epoch keeps each run to about a second.
void quickSettings(MainWindow& w) {
    ExperimentSettings s = w.session()->settings();
    s.fineTuneEpochs = 1;
    QVERIFY(w.session()->setSettings(s));
}

QJsonObject readJson(const QString& dir) {
    QFile f(dir + "/session.json");
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object()
                                       : QJsonObject();
}

void writeJson(const QString& dir, const QJsonObject& o) {
    QFile f(dir + "/session.json");
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QJsonDocument(o).toJson());
}

} // namespace

class TestSessionActions : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a throwaway place
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_session_actions");
    }
    void init() { QSettings().clear(); }

    void fileMenuOffersSessions() {
        MainWindow w;
        QMenu* file = w.menuBar()->findChildren<QMenu*>().value(0);
        QVERIFY(file);
        QVERIFY(file->actions().contains(w.action("saveSessionAction")));
        QVERIFY(file->actions().contains(w.action("openSessionAction")));
        QVERIFY(file->actions().contains(w.sessionActions()->recentMenu()->menuAction()));
    }

    void saveAndOpenRestoreEverything() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("shared session");
        MainWindow a;
        a.show();
        quickSettings(a);
        QVERIFY(trainAndWait(a, "trainBaseAction"));
        QVERIFY(trainAndWait(a, "trainLoraAction"));
        QVERIFY(trainAndWait(a, "fullFinetuneAction"));
        a.sweepTab()->setLists("1,2", "2");
        a.sweepTab()->findChild<QPushButton*>("runButton")->click();
        QVERIFY(a.session()->isRunning());
        QVERIFY(QTest::qWaitFor([&] { return !a.session()->isRunning(); }, 120000));
        QCOMPARE(a.sweepTab()->pointCount(), 3);
        ForgettingTab* forgetting = a.insights()->forgetting();
        forgetting->run();
        QVERIFY(QTest::qWaitFor([&] { return forgetting->result() != nullptr; }, 120000));
        SubspaceTab* subspace = a.insights()->subspace();
        subspace->setRanks(2, 4);
        subspace->train();
        QVERIFY(QTest::qWaitFor([&] { return !subspace->isRunning(); }, 120000));
        QCOMPARE(subspace->phi().rows(), 2);
        VariantsTab* variants = a.insights()->variants();
        variants->train();
        QVERIFY(QTest::qWaitFor([&] { return !variants->isRunning(); }, 120000));
        QVERIFY(variants->runs().size() >= 2);
        a.tabs()->findChild<QSpinBox*>("epochsSpin")->setValue(3); // Forgetting tab
        a.session()->setLoraEnabled(false);
        a.tabs()->setCurrentIndex(4);
        QVERIFY(a.sessionActions()->saveTo(dir));

        MainWindow b;
        b.show();
        QVERIFY(b.sessionActions()->openFrom(dir + "/session.json"));
        QCOMPARE(b.session()->settings(), a.session()->settings());
        QVERIFY(sameBits(*b.session()->baseModel(), *a.session()->baseModel()));
        QVERIFY(sameBits(*b.session()->fullModel(), *a.session()->fullModel()));
        QCOMPARE(b.session()->adapters()->names(), a.session()->adapters()->names());
        QCOMPARE(b.session()->adapters()->activeName(), a.session()->adapters()->activeName());
        QVERIFY(sameBits(*b.session()->loraModel(), *a.session()->loraModel()));
        QVERIFY(!b.session()->loraEnabled());
        QCOMPARE(b.trainingTab()->runCount(), 3);
        for (int id = 1; id <= 3; ++id)
            QCOMPARE(b.trainingTab()->stepPointCount(id), a.trainingTab()->stepPointCount(id));
        QCOMPARE(b.sweepTab()->pointCount(), 3);
        QCOMPARE(historyToJson(b.history()->recorded()), historyToJson(a.history()->recorded()));
        QCOMPARE(b.tabs()->findChild<QSpinBox*>("epochsSpin")->value(), 3);
        QCOMPARE(captureControls(b.tabs()), captureControls(a.tabs()));
        QCOMPARE(b.tabs()->currentIndex(), 4);
        const auto shown = b.insights()->forgetting()->result();
        QVERIFY(shown);
        QCOMPARE(shown->series.size(), forgetting->result()->series.size());
        QCOMPARE(shown->series.back().fullOld, forgetting->result()->series.back().fullOld);
        QCOMPARE(shown->series.back().loraOffOld, forgetting->result()->series.back().loraOffOld);
        QCOMPARE(shown->updates.size(), forgetting->result()->updates.size());
        QCOMPARE(shown->updates[0].full.singularValues,
                 forgetting->result()->updates[0].full.singularValues);
        QCOMPARE(b.insights()->forgetting()->readout(), forgetting->readout());
        QVERIFY(b.insights()->subspace()->phi() == subspace->phi());
        QCOMPARE(b.insights()->subspace()->amplifications()[1].factor,
                 subspace->amplifications()[1].factor);
        QCOMPARE(b.insights()->subspace()->status(), subspace->status());
        const auto& shownRuns = b.insights()->variants()->runs();
        QCOMPARE(shownRuns.size(), variants->runs().size());
        for (std::size_t k = 0; k < shownRuns.size(); ++k) {
            QCOMPARE(shownRuns[k].variant.name(), variants->runs()[k].variant.name());
            QCOMPARE(shownRuns[k].accuracy, variants->runs()[k].accuracy);
            QCOMPARE(shownRuns[k].run.stepLosses, variants->runs()[k].run.stepLosses);
        }

        // New runs continue the numbering: the replayed curves stay beside them.
        QVERIFY(trainAndWait(b, "trainLoraAction"));
        QCOMPARE(b.trainingTab()->runCount(), 4);
        QCOMPARE(b.session()->adapters()->names().size(), 2);
    }

    void mergedAdapterStaysMerged() {
        QTemporaryDir tmp;
        MainWindow a;
        quickSettings(a);
        QVERIFY(trainAndWait(a, "trainBaseAction"));
        QVERIFY(trainAndWait(a, "trainLoraAction"));
        QVERIFY(a.session()->adapters()->mergeActive());
        QVERIFY(a.sessionActions()->saveTo(tmp.filePath("s")));
        MainWindow b;
        QVERIFY(b.sessionActions()->openFrom(tmp.filePath("s")));
        QVERIFY(b.session()->adapters()->isMerged());
        QVERIFY(sameBits(*b.session()->loraModel(), *a.session()->loraModel()));
        QVERIFY(b.session()->adapters()->unmergeActive());
        QVERIFY(b.session()->adapters()->lastUnmergeError() <= 1e-6);
    }

    void brokenSessionLeavesWindowAsItWas_data() {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("message"); // after "<folder>/session.json: ", or with {dir}
        QTest::newRow("not JSON") << "garbage"
                                  << "not valid JSON: illegal value at byte 1";
        QTest::newRow("base missing") << "remove-base"
                                      << "base names base.safetensors, which is missing";
        QTest::newRow("newer version") << "version"
                                       << "written by a newer LoRA Explorer "
                                          "(session version 9); this one reads "
                                          "version 1";
        QTest::newRow("control of the wrong type")
            << "control"
            << "controls.sweepPanel/ranksEdit must be a string";
        QTest::newRow("forgetting point")
            << "forgetting"
            << "insights.forgetting.series[0].full_old must be a number or null";
        QTest::newRow("ragged φ grid") << "subspaces"
                                       << "insights.subspaces.phi[1] has 1 values but row 0 has 2";
        QTest::newRow("unknown run kind")
            << "run-kind"
            << "history.runs[0].kind must be base, lora or full, not \"magic\"";
        // Hostile folders (issue 20): read from inside the folder only, and never blocking.
        QTest::newRow("base leads outside")
            << "base-symlink"
            << "cannot read {dir}/base.safetensors: it resolves to a place "
               "outside {dir}";
        QTest::newRow("session.json is a FIFO")
            << "fifo"
            << "cannot read {dir}/session.json: not a regular file (a device, FIFO or "
               "socket)";
    }
    void brokenSessionLeavesWindowAsItWas() {
        QFETCH(QString, edit);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        {
            MainWindow a;
            QVERIFY(trainAndWait(a, "trainBaseAction"));
            QVERIFY(a.sessionActions()->saveTo(dir));
        }
        QSettings().clear(); // b starts with no recent sessions
        QJsonObject o = readJson(dir);
        if (edit == "garbage") {
            QFile f(dir + "/session.json");
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write("garbage");
        } else if (edit == "remove-base") {
            QVERIFY(QFile::remove(dir + "/base.safetensors"));
        } else if (edit == "version") {
            o["version"] = 9;
            writeJson(dir, o);
        } else if (edit == "control") {
            QJsonObject controls = o["controls"].toObject();
            controls["sweepPanel/ranksEdit"] = 5;
            o["controls"] = controls;
            writeJson(dir, o);
        } else if (edit == "forgetting") {
            QJsonObject point{{"epoch", 0}, {"full_new", 21.8}, {"full_old", "high"}};
            o["insights"] = QJsonObject{{"forgetting", QJsonObject{{"base_old", 98.5},
                                                                   {"base_new", 20.0},
                                                                   {"series", QJsonArray{point}}}}};
            writeJson(dir, o);
        } else if (edit == "subspaces") {
            o["insights"] =
                QJsonObject{{"subspaces",
                             QJsonObject{{"phi", QJsonArray{QJsonArray{1.0, 0.5}, QJsonArray{0.4}}},
                                         {"amplifications", QJsonArray{}}}}};
            writeJson(dir, o);
        } else if (edit == "base-symlink") {
            const QString outside = tmp.filePath("elsewhere.safetensors");
            QVERIFY(QFile::rename(dir + "/base.safetensors", outside));
            QVERIFY(QFile::link(outside, dir + "/base.safetensors"));
        } else if (edit == "fifo") {
            QVERIFY(QFile::remove(dir + "/session.json"));
            QCOMPARE(::mkfifo(QFile::encodeName(dir + "/session.json").constData(), 0600), 0);
        } else if (edit == "run-kind") {
            QJsonObject history = o["history"].toObject();
            QJsonArray runs = history["runs"].toArray();
            QJsonObject run = runs[0].toObject();
            run["kind"] = "magic";
            runs[0] = run;
            history["runs"] = runs;
            o["history"] = history;
            writeJson(dir, o);
        }

        MainWindow b;
        b.show();
        ExperimentSettings s = b.session()->settings();
        s.rank = 16;
        QVERIFY(b.session()->setSettings(s));
        QVERIFY(trainAndWait(b, "trainBaseAction"));
        const ModelPtr base = b.session()->baseModel();
        const QJsonObject history = historyToJson(b.history()->recorded());
        const QJsonObject controls = captureControls(b.tabs());

        QVERIFY(!b.sessionActions()->openFrom(dir));
        QCOMPARE(b.lastError(), message.contains("{dir}") ? QString(message).replace("{dir}", dir)
                                                          : dir + "/session.json: " + message);
        QVERIFY(b.findChild<QMessageBox*>("errorDialog"));
        QCOMPARE(b.session()->baseModel(), base);
        QCOMPARE(b.session()->settings(), s);
        QCOMPARE(historyToJson(b.history()->recorded()), history);
        QCOMPARE(b.trainingTab()->runCount(), 1);
        QCOMPARE(captureControls(b.tabs()), controls);
        QVERIFY(b.sessionActions()->recentSessions().isEmpty());
    }

    void missingDatasetFolderFallsBackToEmbeddedDigits() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        MainWindow a;
        QVERIFY(a.sessionActions()->saveTo(dir));
        QJsonObject o = readJson(dir);
        o["dataset"] = QJsonObject{{"source", "folder"}, {"path", tmp.filePath("no-mnist")}};
        writeJson(dir, o);
        MainWindow b;
        QSignalSpy status(b.sessionActions(), &SessionActions::statusMessage);
        QVERIFY(b.sessionActions()->openFrom(dir));
        QCOMPARE(b.session()->dataSource(), QString("embedded"));
        QVERIFY2(status.last().at(0).toString().contains("using the embedded digits"),
                 qPrintable(status.last().at(0).toString()));
    }

    void recentSessionsMenu() {
        QTemporaryDir tmp;
        const QString one = tmp.filePath("one"), two = tmp.filePath("two");
        MainWindow w;
        QVERIFY(w.sessionActions()->saveTo(one));
        QVERIFY(w.sessionActions()->saveTo(two));
        QCOMPARE(w.sessionActions()->recentSessions(), (QStringList{two, one}));
        QMenu* menu = w.sessionActions()->recentMenu();
        emit menu->aboutToShow();
        QCOMPARE(menu->actions().size(), 2);
        QVERIFY(menu->actions()[0]->text().endsWith(two));
        // Opening the older one moves it to the top.
        menu->findChild<QAction*>("recentSession2")->trigger();
        QCOMPARE(w.sessionActions()->recentSessions(), (QStringList{one, two}));
        // A session deleted since is refused by name and leaves the list.
        QVERIFY(QDir(two).removeRecursively());
        emit menu->aboutToShow();
        menu->findChild<QAction*>("recentSession2")->trigger();
        QCOMPARE(w.lastError(), "the session " + two + " no longer exists");
        QCOMPARE(w.sessionActions()->recentSessions(), QStringList{one});
        // At most kMaxRecent entries.
        for (int i = 0; i < SessionActions::kMaxRecent + 2; ++i)
            QVERIFY(w.sessionActions()->saveTo(tmp.filePath(QString("s%1").arg(i))));
        QCOMPARE(w.sessionActions()->recentSessions().size(), SessionActions::kMaxRecent);
    }

    void openRefusedWhileTraining() {
        QTemporaryDir tmp;
        MainWindow w;
        QVERIFY(w.sessionActions()->saveTo(tmp.filePath("s")));
        ExperimentSettings s = w.session()->settings();
        s.baseEpochs = 50;
        QVERIFY(w.session()->setSettings(s));
        w.action("trainBaseAction")->trigger();
        QVERIFY(w.session()->isRunning());
        QVERIFY(!w.sessionActions()->openFrom(tmp.filePath("s")));
        QCOMPARE(w.lastError(), QString("a run is in progress; stop it before opening a session"));
        QCOMPARE(w.session()->settings().baseEpochs, 50);
        w.session()->stop();
        QVERIFY(QTest::qWaitFor([&] { return !w.session()->isRunning(); }, 5000));
    }
};

QTEST_MAIN(TestSessionActions)
#include "tst_session_actions.moc"
