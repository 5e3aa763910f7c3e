// Base model files: PyTorch state_dict keys, bit-exact weights, and precise rejections.
#include "io/model_file.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/rng.h"

#include "error_of.h"
#include <QTemporaryDir>

#include <QtTest>

#include <cstring>
#include <functional>

using namespace lora;
using lora::test::errorOf;
using lora::test::qErrorOf;

namespace {

bool sameBits(const Matrix& a, const Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}
bool sameBits(const Vector& a, const Vector& b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), sizeof(float) * a.size()) == 0;
}

// "fc1.weight:3x4,fc1.bias:3" -> tensors with those shapes and counting values.
std::vector<NamedTensor> tensors(const QString& spec) {
    std::vector<NamedTensor> out;
    for (const QString& item : spec.split(',', Qt::SkipEmptyParts)) {
        const QStringList parts = item.split(':');
        NamedTensor t{parts[0].toStdString(), {}, {}};
        std::size_t numel = 1;
        for (const QString& d : parts[1].split('x', Qt::SkipEmptyParts)) {
            t.shape.push_back(d.toLongLong());
            numel *= std::size_t(d.toLongLong());
        }
        for (std::size_t i = 0; i < numel; ++i) t.data.push_back(0.5f * float(i) - 1.0f);
        out.push_back(std::move(t));
    }
    return out;
}

// "k=v;k2=v2"
std::map<std::string, std::string> metadata(const QString& spec) {
    std::map<std::string, std::string> out;
    for (const QString& item : spec.split(';', Qt::SkipEmptyParts))
        out[item.section('=', 0, 0).toStdString()] = item.section('=', 1).toStdString();
    return out;
}

} // namespace

class TestModelFile : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::string path(const std::string& name) const {
        return m_tmp.path().toStdString() + "/" + name;
    }

private slots:
    void roundTripIsBitIdentical() {
        Mlp model("12-5-3-2");
        Rng rng(7);
        model.initDefault(rng);
        saveModel(path("m.safetensors"), model, {{3, 4}});

        const SafetensorsFile raw = readSafetensors(path("m.safetensors"));
        const std::map<std::string, std::string> expectedMeta = {
            {"format", "pt"},
            {"lora_explorer.architecture", "12-5-3-2"},
            {"lora_explorer.classes", "3,4"},
            {"lora_explorer.normalisation", "0.1307,0.3081"},
            {"lora_explorer.version", "1"}};
        QCOMPARE(raw.metadata, expectedMeta);
        std::vector<std::string> names;
        for (const auto& t : raw.tensors) names.push_back(t.name);
        QCOMPARE(names, (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight",
                                                  "fc2.bias", "fc3.weight", "fc3.bias"}));
        QCOMPARE(raw.tensors[0].shape, (std::vector<std::int64_t>{5, 12}));
        QCOMPARE(raw.tensors[1].shape, (std::vector<std::int64_t>{5}));

        const LoadedModel loaded = loadModel(path("m.safetensors"));
        QCOMPARE(loaded.model.architecture(), std::string("12-5-3-2"));
        QCOMPARE(loaded.info.classes, (std::vector<int>{3, 4}));
        QVERIFY(!loaded.model.hasLora());
        for (int i = 0; i < model.layerCount(); ++i) {
            QVERIFY(sameBits(loaded.model.layer(i).W, model.layer(i).W));
            QVERIFY(sameBits(loaded.model.layer(i).b, model.layer(i).b));
        }
    }

    void noClassesMeansNoKey() {
        Mlp model("4-2");
        saveModel(path("m.safetensors"), model, {});
        QVERIFY(!readSafetensors(path("m.safetensors")).metadata.count("lora_explorer.classes"));
        QVERIFY(loadModel(path("m.safetensors")).info.classes.empty());
    }

    void plainStateDictLoads() {
        // What torch + safetensors.torch.save_file writes for the seed-000 Net: no metadata
        // beyond "format", keys in any order.
        SafetensorsFile f;
        f.metadata = {{"format", "pt"}};
        f.tensors = tensors("fc2.bias:2,fc2.weight:2x64,fc1.weight:64x784,fc1.bias:64");
        writeSafetensors(path("torch.safetensors"), f);
        const LoadedModel loaded = loadModel(path("torch.safetensors"));
        QCOMPARE(loaded.model.architecture(), std::string("784-64-2"));
        QVERIFY(loaded.info.classes.empty());
        QCOMPARE(loaded.model.layer(1).W(1, 63), f.tensors[1].data[127]);
        QCOMPARE(loaded.model.layer(0).b(5), f.tensors[3].data[5]);
    }

    void savesWeightsAsTheyStand() {
        Mlp model("6-4-2");
        Rng rng(3);
        model.initDefault(rng);
        LoraConfig config;
        config.spec.rank = 2;
        model.attachLora(config, rng);
        model.adapter(0)->B.setConstant(0.25f);
        model.mergeLora(); // the caller chose to bake ΔW into W
        saveModel(path("merged.safetensors"), model, {});
        const LoadedModel loaded = loadModel(path("merged.safetensors"));
        QVERIFY(sameBits(loaded.model.layer(0).W, model.layer(0).W));
        QVERIFY(!loaded.model.hasLora());
    }

    void rejects_data() {
        QTest::addColumn<QString>("tensors");
        QTest::addColumn<QString>("meta");
        QTest::addColumn<QString>("message"); // after "<path>: " unless it starts with '!'
        const QString ok = "fc1.weight:3x4,fc1.bias:3,fc2.weight:2x3,fc2.bias:2";
        QTest::newRow("unknown key") << ok + ",foo:1"
                                     << ""
                                     << "!unexpected tensor 'foo' in {path}";
        QTest::newRow("leading zero") << "fc01.weight:3x4"
                                      << ""
                                      << "!unexpected tensor 'fc01.weight' in {path}";
        QTest::newRow("fc0") << ok + ",fc0.bias:1"
                             << ""
                             << "!unexpected tensor 'fc0.bias' in {path}";
        QTest::newRow("no tensors") << ""
                                    << ""
                                    << "no fc1.weight tensor; not a model file";
        QTest::newRow("missing bias") << "fc1.weight:3x4"
                                      << ""
                                      << "missing tensor 'fc1.bias'";
        QTest::newRow("missing fc1") << "fc2.weight:2x3,fc2.bias:2"
                                     << ""
                                     << "missing tensor 'fc1.weight'";
        QTest::newRow("weight 1-D") << "fc1.weight:3,fc1.bias:3"
                                    << ""
                                    << "fc1.weight has shape [3] but must be 2-D";
        QTest::newRow("zero width") << "fc1.weight:0x4,fc1.bias:0"
                                    << ""
                                    << "fc1.weight has shape [0,4]; widths must be 1 to 65536";
        QTest::newRow("bias size") << "fc1.weight:3x4,fc1.bias:4"
                                   << ""
                                   << "fc1.bias has shape [4] but fc1 has 3 outputs";
        QTest::newRow("chain") << "fc1.weight:3x4,fc1.bias:3,fc2.weight:2x5,fc2.bias:2"
                               << ""
                               << "fc2.weight takes 5 inputs but fc1 has 3 outputs";
        QTest::newRow("arch mismatch")
            << ok << "lora_explorer.architecture=4-5-2"
            << "metadata says architecture 4-5-2 but the tensors form 4-3-2";
        QTest::newRow("arch malformed") << ok << "lora_explorer.architecture=4--2"
                                        << "architecture '4--2' has an empty layer width";
        QTest::newRow("classes count")
            << ok << "lora_explorer.classes=1,2,3"
            << "lora_explorer.classes '1,2,3' lists 3 classes but the model has 2 outputs";
        QTest::newRow("classes syntax")
            << ok << "lora_explorer.classes=3 4"
            << "lora_explorer.classes '3 4' is not a list of digits like 3,4";
        QTest::newRow("classes not digits")
            << ok << "lora_explorer.classes=3,x"
            << "lora_explorer.classes '3,x' is not a list of digits like 3,4";
        QTest::newRow("classes empty")
            << ok << "lora_explorer.classes="
            << "lora_explorer.classes '' is not a list of digits like 3,4";
        QTest::newRow("classes repeat") << ok << "lora_explorer.classes=3,3"
                                        << "lora_explorer.classes '3,3' repeats digit 3";
        QTest::newRow("version") << ok << "lora_explorer.version=2"
                                 << "unsupported lora_explorer.version '2'";
    }

    void rejects() {
        QFETCH(QString, tensors);
        QFETCH(QString, meta);
        QFETCH(QString, message);
        SafetensorsFile f;
        f.tensors = ::tensors(tensors);
        f.metadata = metadata(meta);
        const std::string file = path("bad.safetensors");
        writeSafetensors(file, f);
        const QString p = QString::fromStdString(file);
        const QString expected =
            message.startsWith('!') ? message.mid(1).replace("{path}", p) : p + ": " + message;
        QCOMPARE(QString::fromStdString(errorOf([&] { loadModel(file); })), expected);
    }

    void missingFile() {
        QCOMPARE(errorOf([&] { loadModel(path("none.safetensors")); }),
                 "cannot open " + path("none.safetensors") + ": No such file or directory");
    }

    void saveRejectsWrongClassCount() {
        QCOMPARE(errorOf([&] {
                     saveModel(path("x.safetensors"), Mlp("4-2"), {{1, 2, 3}});
                 }),
                 "cannot save " + path("x.safetensors") + ": 3 classes for 2 outputs");
        QVERIFY(!QFile::exists(QString::fromStdString(path("x.safetensors"))));
    }

    void classesHelpers() {
        QCOMPARE(formatClasses({3, 4}), std::string("3,4"));
        QCOMPARE(formatClasses({}), std::string());
        QCOMPARE(parseMetadataClasses("0,9,5", 3, "w"), (std::vector<int>{0, 9, 5}));
    }
};

QTEST_APPLESS_MAIN(TestModelFile)
#include "tst_model_file.moc"
