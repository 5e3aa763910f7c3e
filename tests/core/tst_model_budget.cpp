// The one model budget (nn/model_budget.h): the tutorials pass with room to spare, sizes far
// beyond them are refused with one line before anything is allocated — by the architecture
// parser, the network itself, ExperimentSettings, the settings reader, the model loader, the
// SVD and the adapter combination — and results that overflow float are refused, not kept.
#include "error_of.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "io/settings_json.h"
#include "linalg/rank.h"
#include "linalg/truncated_svd.h"
#include "nn/adapter_combine.h"
#include "nn/architecture.h"
#include "nn/model_budget.h"
#include "train/adapter_library.h"
#include "train/experiment_settings.h"
#include "train/merge_check.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;

namespace {

// "784-1-1-…-1-10" with `layers` layers.
std::string deepArchitecture(int layers) {
    std::string arch = "784";
    for (int i = 1; i < layers; ++i) arch += "-1";
    return arch + "-10";
}

AdapterWeights constantAdapter(const Mlp& net, int rank, float value) {
    AdapterWeights a;
    a.spec.rank = rank;
    a.spec.alpha = static_cast<float>(rank);
    const Linear& l = net.layer(0);
    a.layers.push_back(
        {0, a.spec, Matrix::Constant(rank, l.in(), value), Matrix::Constant(l.out(), rank, value)});
    return a;
}

} // namespace

class TestModelBudget : public QObject {
    Q_OBJECT
private slots:
    void limitsAreDocumented() {
        QCOMPARE(kMaxParameters, 33554432LL);
        QCOMPARE(kMaxActivations, 33554432LL);
        QCOMPARE(kMaxLayers, 1000);
        QCOMPARE(kMaxRank, 4096);
        // Seed 001 at batch 512 uses under a tenth of either budget.
        const std::vector<int> seed001{784, 1000, 2000, 10};
        QVERIFY(parameterCount(seed001) * 10 < kMaxParameters);
        QVERIFY(activationCount(seed001, 512) * 10 < kMaxActivations);
    }

    void architectures_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("batch");
        QTest::addColumn<QString>("message");
        QTest::addRow("seed 000") << "784-64-2" << 64 << "";
        QTest::addRow("seed 001 at batch 512") << "784-1000-2000-10" << 512 << "";
        QTest::addRow("1000 layers") << QString::fromStdString(deepArchitecture(1000)) << 64 << "";
        QTest::addRow("65536-wide")
            << "784-65536-65536-2" << 1
            << "architecture 784-65536-65536-2 has 4,346,609,666 parameters; the limit is "
               "33,554,432";
        QTest::addRow("batch 1,000,000")
            << "784-64-2" << 1000000
            << "batch 1,000,000 on 784-64-2 needs over 33,554,432 activations (batch × the sum "
               "of the widths); use fewer";
        QTest::addRow("seed 001 at batch 8192") << "784-1000-2000-10" << 8192 << "";
        QTest::addRow("seed 001 at batch 10000")
            << "784-1000-2000-10" << 10000
            << "batch 10,000 on 784-1000-2000-10 needs over 33,554,432 activations (batch × the "
               "sum of the widths); use fewer";
        QTest::addRow("1001 layers")
            << QString::fromStdString(deepArchitecture(1001)) << 1
            << "architecture has more than 1000 layers (fc1…fc1000 is the limit)";
        QTest::addRow("10000 layers")
            << QString::fromStdString(deepArchitecture(10000)) << 1
            << "architecture has more than 1000 layers (fc1…fc1000 is the limit)";
    }
    void architectures() {
        QFETCH(QString, arch);
        QFETCH(int, batch);
        QFETCH(QString, message);
        const QString expected = message.isEmpty() ? QString("(no error)") : message;
        QCOMPARE(qErrorOf([&] { checkModelBudget(parseArchitecture(arch.toStdString()), batch); }),
                 expected);
        // The network refuses before allocating its layers; its batch workspace likewise.
        QCOMPARE(qErrorOf([&] {
                     Mlp net(arch.toStdString());
                     net.reserveBatch(batch);
                 }),
                 expected);
    }

    void settings_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("rank");
        QTest::addColumn<QString>("message");
        QTest::addRow("seed 001") << "784-1000-2000-10" << 512 << 64 << "";
        QTest::addRow("65536-wide") << "784-65536-65536-2" << 64 << 4
                                    << "architecture 784-65536-65536-2 has 4,346,609,666 "
                                       "parameters; the limit is 33,554,432";
        QTest::addRow("batch") << "784-1000-2000-10" << 100000 << 4
                               << "batch 100,000 on 784-1000-2000-10 needs over 33,554,432 "
                                  "activations (batch × the sum of the widths); use fewer";
        QTest::addRow("rank 65536")
            << "784-64-2" << 64 << 65536 << "rank must be at most 4096 (got 65536)";
        QTest::addRow("adapters over budget")
            << "784-1-65536-1-65536-1-65536-1-65536-1-65536-1-2" << 8 << 4096
            << "the adapters on 784-1-65536-1-65536-1-65536-1-65536-1-65536-1-2 would have "
               "2,687,623,168 parameters; the limit is 33,554,432 (lower the rank)";
    }
    void settings() {
        QFETCH(QString, arch);
        QFETCH(int, batch);
        QFETCH(int, rank);
        QFETCH(QString, message);
        ExperimentSettings s;
        s.architecture = arch.toStdString();
        const int outputs = parseArchitecture(s.architecture).back();
        s.baseClasses = s.targetClasses = {};
        for (int d = 0; d < outputs; ++d) s.baseClasses.push_back(d);
        s.targetClasses = s.baseClasses;
        s.targets.clear();
        s.batchSize = batch;
        s.rank = rank;
        QCOMPARE(qErrorOf([&] { s.validate(); }),
                 message.isEmpty() ? QString("(no error)") : message);
    }

    // 2^32 + 4 once became rank 4 (an int cast of the parsed whole number).
    void settingsNumbersNeverWrap_data() {
        QTest::addColumn<QString>("key");
        QTest::addRow("rank") << "rank";
        QTest::addRow("batch_size") << "batch_size";
        QTest::addRow("base_epochs") << "base_epochs";
        QTest::addRow("fine_tune_epochs") << "fine_tune_epochs";
    }
    void settingsNumbersNeverWrap() {
        QFETCH(QString, key);
        std::string text = settingsToJsonText(ExperimentSettings{});
        const std::string field = "\"" + key.toStdString() + "\":";
        const std::size_t at = text.find(field) + field.size();
        text.replace(at, text.find_first_of(",}", at) - at, "4294967300");
        QCOMPARE(qErrorOf([&] { settingsFromJsonText(text); }),
                 "settings." + key + " must be a whole number ≥ 1, not 4.2949673e+09");
    }

    void modelFileWithTooManyLayers() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("deep.safetensors").toStdString();
        SafetensorsFile file;
        for (int i = 1; i <= 1001; ++i) {
            const std::string name = "fc" + std::to_string(i);
            file.tensors.push_back({name + ".weight", {1, 1}, {1.0f}});
            file.tensors.push_back({name + ".bias", {1}, {0.0f}});
        }
        writeSafetensors(path, file);
        QCOMPARE(qErrorOf([&] { loadModel(path); }),
                 QString::fromStdString(path) +
                     ": names layer fc1001; a network has at most 1000 layers");
    }

    void svdSizes_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::addColumn<bool>("accepted");
        QTest::addRow("seed 001's fc2") << 2000 << 1000 << true;
        QTest::addRow("1625²") << 1625 << 1625 << true;
        QTest::addRow("4096×1024") << 4096 << 1024 << true;
        QTest::addRow("1626²") << 1626 << 1626 << false;
        QTest::addRow("8192²") << 8192 << 8192 << false;
        QTest::addRow("65536×65") << 65536 << 65 << false;
    }
    void svdSizes() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        QFETCH(bool, accepted);
        const QString error = qErrorOf([&] { checkSvdBudget(rows, cols, "m"); });
        QCOMPARE(error == "(no error)", accepted);
        if (!accepted)
            QVERIFY(error.startsWith(QString("m is %1×%2; an SVD here").arg(rows).arg(cols)));
        if (!accepted && static_cast<long long>(rows) * cols <= 5000000) {
            // The decompositions refuse it themselves, before any work.
            const Matrix w = Matrix::Zero(rows, cols);
            QVERIFY(qErrorOf([&] { TruncatedSvd svd(w); }).startsWith("the matrix is "));
            QVERIFY(qErrorOf([&] { singularValues(w); }).startsWith("the matrix is "));
        }
    }

    void catRankOverTheLimit() {
        const Mlp net("2-2");
        const std::vector<AdapterWeights> parts{constantAdapter(net, 3000, 0.1f),
                                                constantAdapter(net, 3000, 0.1f)};
        CombineOptions options;
        options.method = CombineMethod::Cat;
        QCOMPARE(qErrorOf([&] { combineAdapters(net, parts, options); }),
                 "cat on fc1 gives rank 6,000, over the limit of 4,096 that adapter files may "
                 "hold");
        options.method = CombineMethod::Svd; // keeps the largest input rank: fine
        QCOMPARE(qErrorOf([&] { combineAdapters(net, parts, options); }), "(no error)");
    }

    void combinationMustStayFinite_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<float>("weight");
        QTest::addColumn<QString>("message");
        QTest::addRow("cat 1") << int(CombineMethod::Cat) << 1.0f << "";
        QTest::addRow("cat 1e38") << int(CombineMethod::Cat) << 1e38f
                                  << "the combined adapter's fc1 B is not finite (values "
                                     "overflow float; scale the inputs down)";
        QTest::addRow("linear 1e38") << int(CombineMethod::Linear) << 1e38f
                                     << "the combined adapter's fc1 ΔW is not finite (values "
                                        "overflow float; scale the inputs down)";
    }
    void combinationMustStayFinite() {
        QFETCH(int, method);
        QFETCH(float, weight);
        QFETCH(QString, message);
        const Mlp net("4-3");
        const std::vector<AdapterWeights> parts{constantAdapter(net, 2, 8.0f),
                                                constantAdapter(net, 2, 8.0f)};
        CombineOptions options;
        options.method = static_cast<CombineMethod>(method);
        options.weights = {weight, weight};
        QCOMPARE(qErrorOf([&] { combineAdapters(net, parts, options); }),
                 message.isEmpty() ? QString("(no error)") : message);
    }

    // W + s·BA of finite W, B and A can overflow: the merge is refused and W kept.
    void mergeMustStayFinite() {
        Mlp net("4-3");
        net.layer(0).W.setConstant(3e38f);
        AdapterLibrary library(net);
        AdapterEntry entry;
        entry.name = "big";
        entry.weights = constantAdapter(net, 2, 1e19f);
        library.add(entry);
        QCOMPARE(qErrorOf([&] { mergedModel(library.modelWith("big")); }),
                 "the merged fc1.weight is not finite (values overflow float; scale the inputs "
                 "down)");
        library.setActive("big");
        Dataset data;
        data.numClasses = 3;
        data.images = Matrix::Zero(2, 4);
        data.labels = {0, 1};
        QCOMPARE(qErrorOf([&] { library.merge(data); }),
                 "merging 'big' makes fc1.weight overflow to Inf; refusing to merge");
        QVERIFY(!library.merged());
        QVERIFY(library.model().layer(0).W == net.layer(0).W);
    }

    void controlLimitsMatchTheChecks() {
        const std::vector<int> seed001{784, 1000, 2000, 10};
        const long long batch = maxBatchFor(seed001);
        QCOMPARE(qErrorOf([&] { checkModelBudget(seed001, batch); }), "(no error)");
        QVERIFY(qErrorOf([&] { checkModelBudget(seed001, batch + 1); }) != "(no error)");
        const std::vector<int> wide{784, 1, 65536, 1, 65536, 1, 65536, 1, 65536, 1, 10};
        const int rank = maxRankFor(wide, {});
        QVERIFY(rank < 64);
        QCOMPARE(qErrorOf([&] { checkAdapterBudget(wide, {}, std::vector<int>(10, rank)); }),
                 "(no error)");
        QVERIFY(qErrorOf([&] { checkAdapterBudget(wide, {}, std::vector<int>(10, rank + 1)); }) !=
                "(no error)");
    }
};

QTEST_APPLESS_MAIN(TestModelBudget)
#include "tst_model_budget.moc"
