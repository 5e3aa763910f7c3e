// The adapter library of one base: activation switches what the model computes (and "none"
// gives the base back bit for bit), merge and unmerge restore W exactly while reporting
// the float round trip, a merged adapter cannot be removed, names stay unique, and every
// refused request leaves the library as it was. Export → import is bit-exact.
#include "error_of.h"
#include "random_matrix.h"
#include "same_bits.h"
#include "train/adapter_library.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;
using lora::test::sameBits;
using lora::test::uniformMatrix;

namespace {

Mlp baseModel() {
    Mlp net("40-24-3");
    Rng rng(2);
    net.initDefault(rng);
    return net;
}

AdapterEntry entry(const Mlp& base, const std::string& name, int rank, std::uint64_t seed) {
    AdapterEntry e;
    e.name = name;
    e.weights.spec = {rank, 2.0f * rank, false, LoraInit::Kaiming};
    for (int i = 0; i < base.layerCount(); ++i)
        e.weights.layers.push_back({i, e.weights.spec,
                                    uniformMatrix(rank, base.layer(i).in(), seed + i),
                                    0.2f * uniformMatrix(base.layer(i).out(), rank, seed + 7 + i)});
    e.info.classes = {0, 1, 2};
    return e;
}

Dataset data(int n) {
    Dataset d;
    d.numClasses = 3;
    d.images = uniformMatrix(n, 40, 9);
    for (int i = 0; i < n; ++i) d.labels.push_back(i % 3);
    return d;
}

Matrix logits(const Mlp& model, const Matrix& x) {
    Mlp copy = model;
    return copy.forward(x);
}

std::vector<std::string> names(const AdapterLibrary& library) {
    std::vector<std::string> out;
    for (const auto& e : library.entries()) out.push_back(e.name);
    return out;
}

} // namespace

class TestAdapterLibrary : public QObject {
    Q_OBJECT
private:
    const Mlp m_base = baseModel();
    const Matrix m_x = uniformMatrix(16, 40, 3);

    AdapterLibrary twoAdapters() const {
        AdapterLibrary library(m_base);
        library.add(entry(m_base, "a", 2, 10));
        library.add(entry(m_base, "b", 3, 20));
        return library;
    }

private slots:
    void activationSwitchesTheModel() {
        AdapterLibrary library = twoAdapters();
        QVERIFY(!library.active());
        QVERIFY(sameBits(logits(library.model(), m_x), logits(m_base, m_x)));
        library.setActive("a");
        const Matrix a = logits(library.model(), m_x);
        QVERIFY(sameBits(a, logits(library.modelWith("a"), m_x)));
        library.setActive("b");
        QCOMPARE(library.active()->name, std::string("b"));
        QCOMPARE(library.model().adapter(0)->rank(), 3);
        QVERIFY((logits(library.model(), m_x) - a).cwiseAbs().maxCoeff() > 1e-3f);
        library.setActive("");
        QVERIFY(sameBits(library.model(), m_base));
    }

    void mergeAndUnmergeRestoreW() {
        AdapterLibrary library = twoAdapters();
        library.setActive("a");
        const Matrix twoPath = logits(library.model(), m_x);
        const MergeReport report = library.merge(data(90));
        QVERIFY(library.merged());
        QVERIFY(library.model().adapter(0)->merged());
        QVERIFY(!sameBits(library.model().layer(0).W, m_base.layer(0).W));
        QVERIFY((logits(library.model(), m_x) - twoPath).cwiseAbs().maxCoeff() < 1e-4f);
        QVERIFY(report.maxLogitDiff < 1e-4);
        QCOMPARE(report.accuracyMerged, report.accuracyUnmerged);

        const double error = library.unmerge();
        QVERIFY(error <= 1e-6);
        QCOMPARE(error, report.maxUnmergeError); // the same float arithmetic, measured twice
        QVERIFY(!library.merged());
        for (int i = 0; i < m_base.layerCount(); ++i)
            QVERIFY(sameBits(library.model().layer(i).W, m_base.layer(i).W));
        QVERIFY(sameBits(logits(library.model(), m_x), twoPath));
    }

    void switchingUnmergesFirst() {
        AdapterLibrary library = twoAdapters();
        library.setActive("a");
        library.merge(data(30));
        library.setActive("b");
        QVERIFY(!library.merged());
        QVERIFY(sameBits(library.model(), library.modelWith("b")));
    }

    void refusals_data() {
        QTest::addColumn<QString>("request");
        QTest::addColumn<QString>("message");
        QTest::newRow("remove merged") << "remove a"
                                       << "adapter 'a' is merged into the base; unmerge it first";
        QTest::newRow("rename taken") << "rename a b"
                                      << "an adapter named 'b' already exists";
        QTest::newRow("rename empty") << "rename a"
                                      << "an adapter name cannot be empty";
        QTest::newRow("add taken") << "add b"
                                   << "an adapter named 'b' already exists";
        QTest::newRow("add wrong shape")
            << "add wide"
            << "adapter 'wide' does not fit the 40-24-3 base: fc1.lora_A is [2,41]";
        QTest::newRow("add NaN") << "add nan"
                                 << "fc2: the adapter holds NaN or Inf values";
        QTest::newRow("activate unknown") << "activate c"
                                          << "there is no adapter named 'c'";
        QTest::newRow("merge twice") << "merge"
                                     << "adapter 'a' is already merged";
    }
    void refusals() {
        QFETCH(QString, request);
        QFETCH(QString, message);
        AdapterLibrary library = twoAdapters();
        library.setActive("a");
        library.merge(data(30));
        const Mlp before = library.model();
        const QStringList words = request.split(' ');
        const auto word = [&](int i) { return i < words.size() ? words[i].toStdString() : ""; };
        const QString error = qErrorOf([&] {
            if (word(0) == "remove") library.remove(word(1));
            if (word(0) == "rename") library.rename(word(1), word(2));
            if (word(0) == "activate") library.setActive(word(1));
            if (word(0) == "merge") library.merge(data(30));
            if (word(0) == "add") {
                AdapterEntry e = entry(m_base, word(1), 2, 5);
                if (word(1) == "wide") e.weights.layers[0].A = uniformMatrix(2, 41, 1);
                if (word(1) == "nan") e.weights.layers[1].B(0, 0) = NAN;
                library.add(e);
            }
        });
        QVERIFY2(error.contains(message), qPrintable(error));
        QCOMPARE(names(library), (std::vector<std::string>{"a", "b"}));
        QCOMPARE(library.active()->name, std::string("a"));
        QVERIFY(library.merged());
        QVERIFY(sameBits(library.model(), before));
    }

    void unmergeAndMergeNeedState() {
        AdapterLibrary library = twoAdapters();
        QCOMPARE(qErrorOf([&] { library.merge(data(3)); }),
                 QString("no adapter is active; choose one to merge"));
        QCOMPARE(qErrorOf([&] { library.unmerge(); }), QString("no adapter is merged"));
    }

    void removeAndRename() {
        AdapterLibrary library = twoAdapters();
        library.setActive("b");
        library.rename("b", "seven-vs-eight");
        QCOMPARE(library.active()->name, std::string("seven-vs-eight"));
        library.remove("seven-vs-eight"); // the active one: the model falls back to the base
        QVERIFY(!library.active());
        QVERIFY(sameBits(library.model(), m_base));
        QCOMPARE(names(library), std::vector<std::string>{"a"});
        QCOMPARE(library.uniqueName("a"), std::string("a 2"));
        QCOMPARE(library.uniqueName("c"), std::string("c"));
    }

    void insertPutsAnEntryBackInPlace_data() {
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("order");
        QTest::addRow("first") << 0 << "c a b";
        QTest::addRow("middle") << 1 << "a c b";
        QTest::addRow("last") << 2 << "a b c";
        QTest::addRow("past the end") << 9 << "a b c";
    }
    void insertPutsAnEntryBackInPlace() {
        QFETCH(int, index);
        QFETCH(QString, order);
        AdapterLibrary library = twoAdapters();
        auto joined = [&] {
            return QString::fromStdString(names(library)[0] + " " + names(library)[1] + " " +
                                          names(library)[2]);
        };
        library.insert(static_cast<std::size_t>(index), entry(m_base, "c", 1, 30));
        QCOMPARE(joined(), order);
        QVERIFY(sameBits(library.at("c").weights.layers[0].B,
                         entry(m_base, "c", 1, 30).weights.layers[0].B));
        // Refused like add(): the library stays as it was.
        QCOMPARE(qErrorOf([&] { library.insert(0, entry(m_base, "a", 1, 40)); }),
                 QString("an adapter named 'a' already exists"));
        QCOMPARE(joined(), order);
    }

    void exportImportIsExact() {
        QTemporaryDir tmp;
        AdapterLibrary library = twoAdapters();
        library.setTestAccuracy("b", 93.5f);
        const std::string dir = tmp.filePath("b").toStdString();
        library.exportAdapter("b", dir);
        const AdapterEntry& back = library.import(dir); // folder "b" is taken: "b 2"
        QCOMPARE(back.name, std::string("b 2"));
        QCOMPARE(back.source, dir);
        QCOMPARE(back.info.testAccuracy, 93.5f);
        QCOMPARE(back.info.classes, (std::vector<int>{0, 1, 2}));
        for (std::size_t i = 0; i < back.weights.layers.size(); ++i) {
            QVERIFY(sameBits(back.weights.layers[i].A, library.at("b").weights.layers[i].A));
            QVERIFY(sameBits(back.weights.layers[i].B, library.at("b").weights.layers[i].B));
        }
        QVERIFY(
            sameBits(logits(library.modelWith("b 2"), m_x), logits(library.modelWith("b"), m_x)));
        QCOMPARE(adapterBytes(m_base, back.weights, back.info),
                 std::size_t(QFileInfo(tmp.filePath("b/adapter_model.safetensors")).size() +
                             QFileInfo(tmp.filePath("b/adapter_config.json")).size()));
    }
};

QTEST_GUILESS_MAIN(TestAdapterLibrary)
#include "tst_adapter_library.moc"
