// The adapter manager's live view: α and r′ applied to the active adapter's snapshot, equal to
// base + viewOf(trained, view) computed apart; the library's adapter (and so export) stays as
// trained; a merged adapter is re-merged exactly onto the true W at every tick and comes back
// bit for bit at the trained values; another adapter starts from its own trained α and r; bad
// values are refused with one line and change nothing.
#include "io/adapter_dir.h"
#include "session/adapter_manager.h"
#include "train/evaluate.h"

#include "seed_base.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace lora;

namespace {

DataPtr embedded() {
    return DataPtr(&loadEmbeddedMnist(), [](const SplitData*) {});
}

// Base + an adapter of `rank` on every layer, trained for a few batches on 7 vs 8.
ModelPtr adapted(const Mlp& base, int rank, float alpha) {
    Mlp model = base;
    LoraConfig config;
    config.spec.rank = rank;
    config.spec.alpha = alpha;
    Rng rng(5);
    model.attachLora(config, rng);
    TrainOptions options;
    options.maxSteps = 30;
    Trainer(model, options).run(filterClassesRemap(loadEmbeddedMnist().train, {7, 8}), nullptr);
    return std::make_shared<const Mlp>(model);
}

bool sameWeights(const Mlp& a, const Mlp& b) {
    for (int i = 0; i < a.layerCount(); ++i)
        if (a.layer(i).W != b.layer(i).W || a.layer(i).b != b.layer(i).b) return false;
    return true;
}

} // namespace

class TestAdapterLiveView : public QObject {
    Q_OBJECT
private:
    ModelPtr m_base;

    void ready(AdapterManager& m, int rank = 8, float alpha = 1.0f) {
        m.setTask(embedded(), {7, 8});
        m.setBase(m_base);
        QVERIFY(QTest::qWaitFor([&] { return m.library() != nullptr; }, 10000));
        m.addTrained(adapted(*m_base, rank, alpha), NAN);
        QVERIFY(m.activeModel());
    }

private slots:
    void initTestCase() { m_base = std::make_shared<const Mlp>(test::trainedSeedBase()); }

    // α and r′ rows: the snapshot's adapters are exactly viewOf's, the library's are not touched.
    void viewEqualsCoreView_data() {
        QTest::addColumn<float>("alpha");
        QTest::addColumn<int>("rank");
        QTest::addRow("α 33") << 33.0f << 8;
        QTest::addRow("α 0.25") << 0.25f << 8;
        QTest::addRow("r′ 1") << 1.0f << 1;
        QTest::addRow("r′ 3 α 16") << 16.0f << 3;
    }
    void viewEqualsCoreView() {
        QFETCH(float, alpha);
        QFETCH(int, rank);
        AdapterManager m;
        ready(m);
        const AdapterWeights trained = m.library()->active()->weights;
        QSignalSpy view(&m, &AdapterManager::viewChanged);
        QSignalSpy model(&m, &AdapterManager::activeModelChanged);
        QVERIFY(m.setView(alpha, rank));
        QCOMPARE(view.size(), 1);
        QCOMPARE(model.size(), 1);
        QCOMPARE(m.liveView().alpha(), alpha);
        QCOMPARE(m.liveView().rank(), rank);
        const AdapterWeights expected =
            viewOf(trained, {alpha != 1.0f ? std::optional(alpha) : std::nullopt,
                             rank != 8 ? std::optional(rank) : std::nullopt});
        const AdapterWeights shown = extractAdapter(*m.activeModel());
        QCOMPARE(shown.layers.size(), expected.layers.size());
        for (std::size_t i = 0; i < shown.layers.size(); ++i) {
            QCOMPARE(shown.layers[i].spec.rank, expected.layers[i].spec.rank);
            QCOMPARE(shown.layers[i].spec.alpha, expected.layers[i].spec.alpha);
            QVERIFY(shown.layers[i].A == expected.layers[i].A);
            QVERIFY(shown.layers[i].B == expected.layers[i].B);
        }
        // The library keeps the trained adapter, and Export writes it.
        const AdapterWeights kept = m.library()->active()->weights;
        QCOMPARE(kept.spec.alpha, 1.0f);
        QVERIFY(kept.layers[0].A == trained.layers[0].A);
        QTemporaryDir dir;
        QVERIFY(m.exportAdapter(m.activeName(), dir.path()));
        const ImportedAdapter written = readAdapter(dir.path().toStdString(), *m_base);
        QCOMPARE(written.weights.spec.alpha, 1.0f);
        QCOMPARE(written.weights.spec.rank, 8);
        QVERIFY(written.weights.layers[1].B == trained.layers[1].B);
    }

    // Merged: each tick re-merges the view onto the true W; back at the trained values the
    // weights are the library's merged ones bit for bit.
    void mergedViewReMergesExactly() {
        AdapterManager m;
        ready(m);
        QVERIFY(m.mergeActive());
        const Mlp mergedTrained = *m.activeModel();
        for (const auto& [alpha, rank] : {std::pair{33.0f, 8}, {2.0f, 2}, {1024.0f, 1}}) {
            QVERIFY(m.setView(alpha, rank));
            Mlp expected = *m_base;
            attachAdapter(expected, viewOf(m.library()->active()->weights,
                                           {alpha, rank < 8 ? std::optional(rank) : std::nullopt}));
            expected.mergeLora();
            QVERIFY(sameWeights(*m.activeModel(), expected));
            QVERIFY(m.isMerged());
        }
        QVERIFY(m.setView(1.0f, 8));
        QVERIFY(sameWeights(*m.activeModel(), mergedTrained));
        // Unmerge keeps the view.
        QVERIFY(m.setView(4.0f, 8));
        QVERIFY(m.unmergeActive());
        QCOMPARE(m.liveView().alpha(), 4.0f);
        QVERIFY(sameWeights(*m.activeModel(), *m_base)); // unmerged: W is the base's again
    }

    void anotherAdapterStartsAsTrained() {
        AdapterManager m;
        ready(m, 4, 2.0f);
        const QString first = m.activeName();
        m.addTrained(adapted(*m_base, 2, 8.0f), NAN);
        QVERIFY(m.setView(64.0f, 1));
        QVERIFY(m.setActiveAdapter(first));
        QCOMPARE(m.liveView().alpha(), 2.0f);
        QCOMPARE(m.liveView().rank(), 4);
        QVERIFY(m.liveView().isTrained());
    }

    void badValuesAreRefused_data() {
        QTest::addColumn<float>("alpha");
        QTest::addColumn<int>("rank");
        QTest::addColumn<QString>("message");
        QTest::addRow("rank 0") << 1.0f << 0 << "the truncation rank must be at least 1";
        QTest::addRow("rank 9") << 1.0f << 9
                                << "the truncation rank 9 is above the adapter's rank 8";
        QTest::addRow("α 0") << 0.0f << 8 << "alpha must be a positive number";
        QTest::addRow("α -1") << -1.0f << 8 << "alpha must be a positive number";
        QTest::addRow("α inf") << std::numeric_limits<float>::infinity() << 8
                               << "alpha must be a positive number";
    }
    void badValuesAreRefused() {
        QFETCH(float, alpha);
        QFETCH(int, rank);
        QFETCH(QString, message);
        AdapterManager m;
        ready(m);
        QVERIFY(m.setView(2.0f, 4));
        const ModelPtr before = m.activeModel();
        QSignalSpy errors(&m, &AdapterManager::errorOccurred);
        QVERIFY(!m.setView(alpha, rank));
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors[0][0].toString(), message);
        QCOMPARE(m.activeModel(), before);
        QCOMPARE(m.liveView().alpha(), 2.0f);
        QCOMPARE(m.liveView().rank(), 4);
    }

    void withoutAdapterNothingToAdjust() {
        AdapterManager m;
        QSignalSpy errors(&m, &AdapterManager::errorOccurred);
        QVERIFY(!m.setView(2.0f, 1));
        QCOMPARE(errors.size(), 1);
        QVERIFY(!m.liveView().hasAdapter());
    }
};

QTEST_MAIN(TestAdapterLiveView)
#include "tst_adapter_live_view.moc"
