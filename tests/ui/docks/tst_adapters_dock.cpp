// The Adapters dock inside the real main window (offscreen), over a 784-64-2 base trained on
// 3-vs-4 and adapters written to a temporary folder in PEFT's layout: clicking a row makes
// the Predictions panel answer for that adapter with exactly lora::evaluate's accuracy;
// Combine… with cat sums the ranks; merge → unmerge reports at most 1e-6 and leaves W bit
// for bit; a merged adapter cannot be removed; renames happen in place; broken folders are
// refused with the core's message and the list stays as it was; a LoRA run joins the list.
#include "app/main_window.h"
#include "docks/adapters_dock.h"
#include "docks/combine_dialog.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "tabs/predictions/predictions_tab.h"
#include "train/evaluate.h"
#include "util/rng.h"

#include <QAction>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace lora;

namespace {

const std::vector<int> kTarget{7, 8};

Mlp trained(Mlp model, const Dataset& train, long maxSteps) {
    TrainOptions options;
    options.epochs = 1;
    options.batchSize = 64;
    options.learningRate = 0.01f;
    options.maxSteps = maxSteps;
    Trainer(model, options).run(train, nullptr);
    return model;
}

Mlp withLora(const Mlp& base, int rank, std::uint64_t seed) {
    Mlp model = base;
    LoraConfig config;
    config.spec.rank = rank;
    config.spec.alpha = static_cast<float>(rank);
    Rng rng(seed);
    model.attachLora(config, rng);
    return model;
}

// Accuracy of base + the adapter in `dir` on `classes`, as lora-cli eval computes it.
float independentAccuracy(const QString& base, const QString& dir,
                          const std::vector<int>& classes) {
    Mlp model = loadModel(base.toStdString()).model;
    loadAdapter(dir.toStdString(), model);
    return evaluate(model, filterClassesRemap(loadEmbeddedMnist().test, classes)).accuracy;
}

bool settle(PredictionsTab* p) {
    return QTest::qWaitFor([&] { return !p->isEvaluating(); }, 30000);
}

void clickRow(AdaptersDock* dock, const QString& name) {
    QTableWidget* table = dock->table();
    const QModelIndex index = table->model()->index(dock->rowOf(name), AdaptersDock::RankColumn);
    table->scrollTo(index);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
}

QPushButton* button(MainWindow& w, const char* name) {
    return w.adaptersDock()->findChild<QPushButton*>(name);
}

bool bitIdentical(const Matrix& a, const Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

} // namespace

class TestAdaptersDock : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_base, m_a, m_b, m_other, m_wrongShape;
    float m_accA = 0, m_accB = 0;

    QString path(const char* name) const { return m_dir.filePath(name); }

    // A window on the saved base, with adapters a and b imported.
    void open(MainWindow& w) {
        w.resize(1400, 860);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.session()->loadBase(m_base));
        AdapterManager* m = w.session()->adapters();
        QVERIFY(m->importAdapter(m_a, "a"));
        QVERIFY(m->importAdapter(m_b, "b"));
        QCOMPARE(m->names(), QStringList({"a", "b"}));
    }

private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_adapters_dock");
        const SplitData& data = loadEmbeddedMnist();
        Mlp base("784-64-2");
        Rng rng(0);
        base.initDefault(rng);
        base = trained(base, filterClassesRemap(data.train, {3, 4}), -1);
        m_base = path("base.safetensors");
        saveModel(m_base.toStdString(), base, {{3, 4}});

        // a: rank 2, properly fine-tuned on 7-vs-8; b: rank 3, a few steps then B perturbed,
        // so the two answer differently.
        const Dataset target = filterClassesRemap(data.train, kTarget);
        m_a = path("a");
        saveAdapter(m_a.toStdString(), trained(withLora(base, 2, 1), target, -1), {kTarget});
        Mlp b = trained(withLora(base, 3, 2), target, 5);
        Rng noise(3);
        for (int i = 0; i < b.layerCount(); ++i)
            for (float& v : b.adapter(i)->B.reshaped()) v += 0.3f * noise.normal();
        m_b = path("b");
        saveAdapter(m_b.toStdString(), b, {kTarget});
        // The same weights, but trained for 1-vs-2 according to its metadata.
        m_other = path("other");
        saveAdapter(m_other.toStdString(), b, {{1, 2}});
        Mlp narrow("784-32-2");
        narrow.initDefault(rng);
        m_wrongShape = path("narrow");
        saveAdapter(m_wrongShape.toStdString(), withLora(narrow, 2, 4), {kTarget});

        m_accA = independentAccuracy(m_base, m_a, kTarget);
        m_accB = independentAccuracy(m_base, m_b, kTarget);
        QVERIFY2(qAbs(m_accA - m_accB) > 1,
                 qPrintable(QString("%1 vs %2").arg(m_accA).arg(m_accB)));
    }

    void init() { QSettings().clear(); }

    void clickingARowSwitchesTheAdapter() {
        MainWindow w;
        open(w);
        PredictionsTab* p = w.predictionsTab();
        AdaptersDock* dock = w.adaptersDock();
        QCOMPARE(dock->table()->rowCount(), 3); // None, a, b
        for (int round = 0; round < 2; ++round) {
            for (const auto& [name, expected] : {std::pair{QString("a"), m_accA}, {"b", m_accB}}) {
                clickRow(dock, name);
                QCOMPARE(w.session()->adapters()->activeName(), name);
                QVERIFY(settle(p));
                QCOMPARE(p->accuracy(), expected);
                QCOMPARE(w.session()->currentLabel(), "base + " + name);
                QCOMPARE(dock->table()->item(dock->rowOf(name), 0)->text(), QString("●"));
            }
        }
        clickRow(dock, ""); // None (base only)
        QVERIFY(w.session()->loraModel() == nullptr);
        QVERIFY(settle(p));
        Mlp base = *w.session()->baseModel();
        QCOMPARE(p->accuracy(),
                 evaluate(base, filterClassesRemap(loadEmbeddedMnist().test, kTarget)).accuracy);
    }

    // Activating an adapter trained for another task points the read-out at that task.
    void activationFollowsTheAdapterClasses() {
        MainWindow w;
        open(w);
        QVERIFY(w.session()->adapters()->importAdapter(m_other, "other"));
        clickRow(w.adaptersDock(), "other");
        QCOMPARE(w.session()->settings().targetClasses, std::vector<int>({1, 2}));
        QVERIFY(settle(w.predictionsTab()));
        QCOMPARE(w.predictionsTab()->accuracy(), independentAccuracy(m_base, m_other, {1, 2}));
    }

    void combineCatThroughTheDialogSumsRanks() {
        MainWindow w;
        open(w);
        AdaptersDock* dock = w.adaptersDock();
        QTest::mouseClick(button(w, "combineButton"), Qt::LeftButton);
        auto* dialog = dock->findChild<CombineDialog*>("combineDialog");
        QVERIFY(dialog && dialog->isVisible());
        auto* ok = dialog->findChild<QPushButton*>("combineOkButton");

        // Linear needs equal ranks: the core's refusal is shown in the dialog, which stays.
        dialog->setChecked({"a", "b"});
        dialog->setMethod(CombineMethod::Linear);
        QTest::mouseClick(ok, Qt::LeftButton);
        QVERIFY(dialog->isVisible());
        QVERIFY2(!dialog->errorText().isEmpty(), "no message for linear with ranks 2 and 3");
        QCOMPARE(w.session()->adapters()->names(), QStringList({"a", "b"}));

        dialog->setMethod(CombineMethod::Cat);
        dialog->setNewName("a+b");
        QSignalSpy finished(dialog, &QDialog::finished);
        QTest::mouseClick(ok, Qt::LeftButton);
        QCOMPARE(finished.count(), 1);
        const AdapterEntry& both = w.session()->adapters()->library()->at("a+b");
        QCOMPARE(both.weights.layers.size(), std::size_t(2));
        for (const LayerAdapter& layer : both.weights.layers) QCOMPARE(layer.spec.rank, 2 + 3);
        QCOMPARE(dock->table()->item(dock->rowOf("a+b"), AdaptersDock::RankColumn)->text(),
                 QString("5"));
        QCOMPARE(w.session()->adapters()->activeName(), QString("a+b"));
    }

    void mergeThenUnmergeRestoresW() {
        MainWindow w;
        open(w);
        clickRow(w.adaptersDock(), "a");
        const ModelPtr base = w.session()->baseModel();
        QTest::mouseClick(button(w, "mergeButton"), Qt::LeftButton);
        QVERIFY(w.session()->adapters()->isMerged());
        const QString merged = w.adaptersDock()->figureText();
        QVERIFY2(merged.startsWith("merged: max |Δlogit| "), qPrintable(merged));
        QVERIFY(!bitIdentical(w.session()->loraModel()->layer(0).W, base->layer(0).W));
        QVERIFY(settle(w.predictionsTab()));
        QVERIFY(qAbs(w.predictionsTab()->accuracy() - m_accA) <= 0.1f);

        QTest::mouseClick(button(w, "unmergeButton"), Qt::LeftButton);
        QVERIFY(!w.session()->adapters()->isMerged());
        const QString text = w.adaptersDock()->figureText();
        const auto match = QRegularExpression("^unmerged: max \\|W − W₀\\| (\\S+)$").match(text);
        QVERIFY2(match.hasMatch(), qPrintable(text));
        bool ok = false;
        const double shown = match.captured(1).toDouble(&ok);
        QVERIFY(ok);
        QVERIFY2(shown <= 1e-6, qPrintable(text));
        QVERIFY(w.session()->adapters()->lastUnmergeError() <= 1e-6);
        for (int i = 0; i < base->layerCount(); ++i)
            QVERIFY(bitIdentical(w.session()->loraModel()->layer(i).W, base->layer(i).W));
        QVERIFY(settle(w.predictionsTab()));
        QCOMPARE(w.predictionsTab()->accuracy(), m_accA);

        // Another adapter active: the figure measured a's merge, so it gives way.
        clickRow(w.adaptersDock(), "b");
        QVERIFY2(!w.adaptersDock()->figureText().startsWith("unmerged"),
                 qPrintable(w.adaptersDock()->figureText()));
    }

    // A new base drops the library: a merge figure of the old one must not stay standing.
    void newBaseClearsTheMergeFigure() {
        MainWindow w;
        open(w);
        clickRow(w.adaptersDock(), "a");
        QTest::mouseClick(button(w, "mergeButton"), Qt::LeftButton);
        QVERIFY(w.adaptersDock()->figureText().startsWith("merged: "));
        QVERIFY(w.session()->loadBase(m_base));
        QVERIFY(QTest::qWaitFor([&] { return w.session()->adapters()->library(); }, 10000));
        QVERIFY2(!w.adaptersDock()->figureText().startsWith("merged: "),
                 qPrintable(w.adaptersDock()->figureText()));
    }

    void removingAMergedAdapterIsRefused() {
        MainWindow w;
        open(w);
        AdaptersDock* dock = w.adaptersDock();
        clickRow(dock, "a");
        QVERIFY(w.session()->adapters()->mergeActive());
        QSignalSpy errors(w.session(), &ExperimentSession::errorOccurred);
        dock->table()->setFocus();
        QTest::keyClick(dock->table(), Qt::Key_Delete);
        QCOMPARE(errors.count(), 1);
        QVERIFY2(w.lastError().contains("unmerge it first"), qPrintable(w.lastError()));
        QVERIFY(w.findChild<QWidget*>("errorDialog"));
        QCOMPARE(w.session()->adapters()->names(), QStringList({"a", "b"}));
        QCOMPARE(dock->table()->rowCount(), 3);

        QVERIFY(w.session()->adapters()->unmergeActive());
        QTest::keyClick(dock->table(), Qt::Key_Delete);
        QCOMPARE(w.session()->adapters()->names(), QStringList({"b"}));
        QCOMPARE(dock->table()->rowCount(), 2);
        QVERIFY(w.session()->loraModel() == nullptr); // the active one went: base only
    }

    void renameInPlace_data() {
        QTest::addColumn<QString>("typed");
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<bool>("refused");
        QTest::addRow("new name") << "seven-eight" << QStringList{"seven-eight", "b"} << false;
        QTest::addRow("taken") << "b" << QStringList{"a", "b"} << true;
        QTest::addRow("blank") << "  " << QStringList{"a", "b"} << true;
    }
    void renameInPlace() {
        QFETCH(QString, typed);
        QFETCH(QStringList, names);
        QFETCH(bool, refused);
        MainWindow w;
        open(w);
        clickRow(w.adaptersDock(), "a");
        QTableWidget* table = w.adaptersDock()->table();
        table->setFocus();
        table->setCurrentCell(w.adaptersDock()->rowOf("a"), AdaptersDock::NameColumn);
        QTest::keyClick(table, Qt::Key_F2);
        auto* editor = table->viewport()->findChild<QLineEdit*>();
        QVERIFY(editor);
        editor->selectAll();
        QTest::keyClicks(editor, typed);
        QSignalSpy errors(w.session(), &ExperimentSession::errorOccurred);
        QTest::keyClick(editor, Qt::Key_Return);
        // The delegate commits and the dock renames through queued calls: wait for the outcome
        // rather than a fixed time, which a loaded CI machine can overrun.
        if (refused)
            QTRY_COMPARE(errors.count(), 1);
        else
            QTRY_COMPARE(w.session()->adapters()->names(), names);
        QCOMPARE(errors.count(), refused ? 1 : 0);
        QCOMPARE(w.session()->adapters()->names(), names);
        QCOMPARE(table->item(1, AdaptersDock::NameColumn)->text(), names[0]);
        QCOMPARE(w.session()->adapters()->activeName(), names[0]);
    }

    void badImportKeepsTheList_data() {
        QTest::addColumn<QString>("dir");
        QTest::addColumn<QString>("message");
        QTest::addRow("no such folder") << path("missing") << "not a directory";
        QTest::addRow("no config") << path("empty") << "adapter_config.json not found";
        QTest::addRow("other base") << path("narrow") << "784-32-2";
    }
    void badImportKeepsTheList() {
        QFETCH(QString, dir);
        QFETCH(QString, message);
        QDir().mkpath(path("empty"));
        MainWindow w;
        open(w);
        QSignalSpy changed(w.session()->adapters(), &AdapterManager::adaptersChanged);
        QVERIFY(!w.session()->adapters()->importAdapter(dir));
        QVERIFY2(w.lastError().contains(message), qPrintable(w.lastError()));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(w.session()->adapters()->names(), QStringList({"a", "b"}));
        QCOMPARE(w.adaptersDock()->table()->rowCount(), 3);
    }

    void exportAllWritesOneFolderEach() {
        MainWindow w;
        open(w);
        QVERIFY(w.session()->adapters()->renameAdapter("b", "b / 2"));
        const QString out = path("all");
        QVERIFY(w.session()->adapters()->exportAllAdapters(out));
        for (const char* folder : {"a", "b___2"}) {
            QVERIFY2(QFile::exists(out + "/" + folder + "/adapter_config.json"), folder);
            QVERIFY(QFile::exists(out + "/" + folder + "/adapter_model.safetensors"));
        }
        QCOMPARE(independentAccuracy(m_base, out + "/a", kTarget), m_accA);
    }

    // A finished LoRA run lands in the list, active, with the run's accuracy.
    void trainedRunJoinsTheList() {
        MainWindow w;
        w.show();
        ExperimentSettings s = w.session()->settings();
        s.fineTuneEpochs = 1;
        QVERIFY(w.session()->setSettings(s));
        QVERIFY(w.session()->loadBase(m_base));
        QSignalSpy finished(w.session(), &ExperimentSession::runFinished);
        w.action("trainLoraAction")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return !w.session()->isRunning(); }, 120000));
        QCOMPARE(finished.count(), 1);
        const float accuracy = finished.front().front().value<RunOutcome>().testAccuracy;
        AdapterManager* m = w.session()->adapters();
        QCOMPARE(m->names(), QStringList({"7v8 r4 α1"}));
        QCOMPARE(m->activeName(), QString("7v8 r4 α1"));
        QCOMPARE(m->library()->at("7v8 r4 α1").info.testAccuracy, accuracy);
        QVERIFY(settle(w.predictionsTab()));
        QCOMPARE(w.predictionsTab()->accuracy(), accuracy);
        // Ctrl+E still exports the active adapter.
        QVERIFY(w.session()->exportAdapter(path("trained")));
        QCOMPARE(independentAccuracy(m_base, path("trained"), kTarget), accuracy);
    }
};

QTEST_MAIN(TestAdaptersDock)
#include "tst_adapters_dock.moc"
