// AdapterManager on its own, without a session or a window: the task is pushed in with
// setTask(); a finished run joins the library under its classes and becomes the active
// snapshot; activating an adapter trained for other classes asks for them through
// targetClassesWanted (and only then); merge/unmerge are measured on the task's test
// split; bad requests emit one errorOccurred and leave the library as it was.
#include "session/adapter_manager.h"
#include "train/evaluate.h"
#include "util/rng.h"

#include "seed_base.h"

#include <QSignalSpy>
#include <QtTest>

using namespace lora;

Q_DECLARE_METATYPE(std::vector<int>)

namespace {

DataPtr embedded() {
    return DataPtr(&loadEmbeddedMnist(), [](const SplitData*) {});
}

// Base + a rank-`rank` adapter trained for a few batches on `classes`.
ModelPtr adapted(const Mlp& base, const std::vector<int>& classes, int rank) {
    Mlp model = base;
    LoraConfig config;
    config.spec.rank = rank;
    config.spec.alpha = float(rank);
    Rng rng(7);
    model.attachLora(config, rng);
    TrainOptions options;
    options.maxSteps = 20;
    Trainer(model, options).run(filterClassesRemap(loadEmbeddedMnist().train, classes), nullptr);
    return std::make_shared<const Mlp>(model);
}

bool libraryReady(AdapterManager& m) {
    return QTest::qWaitFor([&] { return m.library() != nullptr; }, 10000);
}

} // namespace

class TestAdapterManager : public QObject {
    Q_OBJECT
private:
    ModelPtr m_base;

private slots:
    void initTestCase() {
        qRegisterMetaType<std::vector<int>>();
        m_base = std::make_shared<const Mlp>(test::trainedSeedBase());
    }

    void withoutBaseEverythingIsRefused() {
        AdapterManager m;
        QSignalSpy errors(&m, &AdapterManager::errorOccurred);
        QVERIFY(!m.mergeActive());
        QVERIFY(!m.setActiveAdapter("x"));
        QCOMPARE(errors.size(), 2);
        QCOMPARE(errors[0][0].toString(),
                 QStringLiteral("there is no base model yet; train or load one first"));
        QVERIFY(m.names().isEmpty());
    }

    void trainedRunJoinsUnderTheTaskClasses() {
        AdapterManager m;
        m.setTask(embedded(), {7, 8});
        m.setBase(m_base);
        QVERIFY(libraryReady(m));
        const ModelPtr run = adapted(*m_base, {7, 8}, 2);
        QSignalSpy changed(&m, &AdapterManager::adaptersChanged);
        m.addTrained(run, 97.5f);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(m.names(), QStringList{QStringLiteral("7v8 r2 α2")});
        QCOMPARE(m.activeName(), QStringLiteral("7v8 r2 α2"));
        QCOMPARE(m.activeModel(), run); // the run's own snapshot, not a copy
        const AdapterEntry& e = m.library()->entries().front();
        QCOMPARE(e.info.classes, (std::vector<int>{7, 8}));
        QCOMPARE(e.info.testAccuracy, 97.5f);
    }

    void activatingOtherClassesAsksForThem() {
        AdapterManager m;
        m.setTask(embedded(), {7, 8});
        m.setBase(m_base);
        QVERIFY(libraryReady(m));
        m.addTrained(adapted(*m_base, {7, 8}, 1), 90.f);
        m.setTask(embedded(), {5, 6});
        m.addTrained(adapted(*m_base, {5, 6}, 2), 90.f);
        QSignalSpy wanted(&m, &AdapterManager::targetClassesWanted);
        QVERIFY(m.setActiveAdapter(QStringLiteral("7v8 r1 α1")));
        QCOMPARE(wanted.size(), 1);
        QCOMPARE(wanted[0][0].value<std::vector<int>>(), (std::vector<int>{7, 8}));
        m.setTask(embedded(), {7, 8}); // as the owner would answer
        QVERIFY(m.setActiveAdapter(QString()));
        QVERIFY(m.setActiveAdapter(QStringLiteral("7v8 r1 α1")));
        QCOMPARE(wanted.size(), 1); // already the task: nothing asked
    }

    void mergeIsMeasuredOnTheTaskAndUnmergeRestores() {
        AdapterManager m;
        m.setTask(embedded(), {7, 8});
        m.setBase(m_base);
        QVERIFY(libraryReady(m));
        const ModelPtr run = adapted(*m_base, {7, 8}, 2);
        m.addTrained(run, 0.f);
        QSignalSpy merged(&m, &AdapterManager::mergeMeasured);
        QVERIFY(m.mergeActive());
        QVERIFY(m.isMerged());
        QCOMPARE(merged.size(), 1);
        const auto report = merged[0][0].value<MergeReport>();
        Mlp copy = *run;
        const float direct =
            evaluate(copy, filterClassesRemap(loadEmbeddedMnist().test, {7, 8})).accuracy;
        QCOMPARE(report.accuracyUnmerged, direct);
        QVERIFY(report.maxLogitDiff < 1e-4);
        QVERIFY(m.unmergeActive());
        QVERIFY(!m.isMerged());
        QVERIFY(m.lastUnmergeError() <= 1e-6);
    }

    void badRequestsLeaveTheLibrary() {
        AdapterManager m;
        m.setTask(embedded(), {7, 8});
        m.setBase(m_base);
        QVERIFY(libraryReady(m));
        m.addTrained(adapted(*m_base, {7, 8}, 1), 90.f);
        QSignalSpy errors(&m, &AdapterManager::errorOccurred);
        QVERIFY(!m.renameAdapter(QStringLiteral("nope"), QStringLiteral("x")));
        QVERIFY(!m.removeAdapter(QStringLiteral("nope")));
        QVERIFY(!m.importAdapter(QStringLiteral("/nonexistent/adapter")));
        QCOMPARE(errors.size(), 3);
        QCOMPARE(m.names(), QStringList{QStringLiteral("7v8 r1 α1")});
        QCOMPARE(m.activeName(), QStringLiteral("7v8 r1 α1"));
    }

    void aNewBaseEmptiesTheLibrary() {
        AdapterManager m;
        m.setTask(embedded(), {7, 8});
        m.setBase(m_base);
        QVERIFY(libraryReady(m));
        m.addTrained(adapted(*m_base, {7, 8}, 1), 90.f);
        m.setBase(std::make_shared<const Mlp>(*m_base));
        QVERIFY(m.names().isEmpty());
        QVERIFY(!m.activeModel());
        QVERIFY(libraryReady(m)); // built off the GUI thread on the shared copy pool
        QVERIFY(m.names().isEmpty());
    }
};

QTEST_MAIN(TestAdapterManager)
#include "tst_adapter_manager.moc"
