// PEFT-style adapter directories: exact round trips, the key spellings PEFT produces, and
// loading over an adapter already attached. Refused directories: tst_adapter_dir_rejects.
#include "io/adapter_dir.h"
#include "util/error.h"
#include "util/rng.h"

#include "adapter_dir_files.h"
#include "error_of.h"
#include "same_bits.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace lora;
using lora::test::errorOf;
using lora::test::kConfig;
using lora::test::kGood;
using lora::test::sameBits;
using lora::test::slurp;
using lora::test::tensors;
using lora::test::writeDir;
namespace fs = std::filesystem;

class TestAdapterDir : public QObject, protected lora::test::AdapterScratch {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }
    void cleanup() { emptyScratch(); }

    void roundTrip_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<bool>("rslora");
        QTest::addColumn<bool>("gaussian");
        QTest::addColumn<QStringList>("targets");
        QTest::addColumn<QString>("expectedConfig");
        QTest::newRow("rslora gaussian fc1,fc3")
            << 2 << 3.5f << true << true << QStringList{"fc3", "fc1"}
            << R"({"alpha_pattern": {}, "base_model_name_or_path": "my-base", "bias": "none",
                  "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": "gaussian",
                  "layers_pattern": null, "layers_to_transform": null, "lora_alpha": 3.5,
                  "lora_dropout": 0.0, "modules_to_save": null, "peft_type": "LORA", "r": 2,
                  "rank_pattern": {}, "revision": null, "target_modules": ["fc1", "fc3"],
                  "task_type": null, "use_dora": false, "use_rslora": true})";
        QTest::newRow("kaiming alpha 0.1 all layers")
            << 4 << 0.1f << false << false << QStringList{}
            << R"({"alpha_pattern": {}, "base_model_name_or_path": "my-base", "bias": "none",
                  "fan_in_fan_out": false, "inference_mode": true, "init_lora_weights": true,
                  "layers_pattern": null, "layers_to_transform": null, "lora_alpha": 0.1,
                  "lora_dropout": 0.0, "modules_to_save": null, "peft_type": "LORA", "r": 4,
                  "rank_pattern": {}, "revision": null, "target_modules": ["fc1", "fc2", "fc3"],
                  "task_type": null, "use_dora": false, "use_rslora": false})";
    }

    void roundTrip() {
        QFETCH(int, rank);
        QFETCH(float, alpha);
        QFETCH(bool, rslora);
        QFETCH(bool, gaussian);
        QFETCH(QStringList, targets);
        QFETCH(QString, expectedConfig);

        Mlp model = m_base;
        LoraConfig config;
        config.spec = {rank, alpha, rslora, gaussian ? LoraInit::Gaussian : LoraInit::Kaiming};
        for (const QString& t : targets) config.targets.push_back(t.toStdString());
        Rng rng(5);
        model.attachLora(config, rng);
        for (int i = 0; i < model.layerCount(); ++i)
            if (auto* a = model.adapter(i))
                for (Eigen::Index k = 0; k < a->B.size(); ++k) a->B.data()[k] = rng.normal();
        const std::string dir = path("nested/adapter");
        saveAdapter(dir, model, {{3, 4, 5}, "my-base"});

        const std::string configText = slurp(dir + "/adapter_config.json");
        QVERIFY(configText.starts_with("{\n  \"alpha_pattern\": {},\n"));
        QVERIFY(configText.find("\n  \"lora_dropout\": 0.0,\n") != std::string::npos);
        const QJsonObject written =
            QJsonDocument::fromJson(QByteArray::fromStdString(configText)).object();
        QCOMPARE(written, QJsonDocument::fromJson(expectedConfig.toUtf8()).object());

        const SafetensorsFile raw = readSafetensors(dir + "/adapter_model.safetensors");
        QCOMPARE(raw.metadata,
                 (std::map<std::string, std::string>{{"format", "pt"},
                                                     {"lora_explorer.architecture", "10-6-4-3"},
                                                     {"lora_explorer.classes", "3,4,5"},
                                                     {"lora_explorer.version", "1"}}));
        std::vector<std::string> keys;
        for (const auto& t : raw.tensors) keys.push_back(t.name);
        std::vector<std::string> expectedKeys;
        for (int i = 0; i < model.layerCount(); ++i)
            if (model.adapter(i))
                for (const char* m : {".lora_A.weight", ".lora_B.weight"})
                    expectedKeys.push_back("base_model.model." + model.layerName(i) + m);
        QCOMPARE(keys, expectedKeys);

        Mlp fresh = m_base;
        const LoadedAdapter loaded = loadAdapter(dir, fresh);
        QCOMPARE(loaded.config.spec.rank, rank);
        QCOMPARE(loaded.config.spec.alpha, alpha);
        QCOMPARE(loaded.config.spec.rslora, rslora);
        QCOMPARE(loaded.config.spec.init, config.spec.init);
        QCOMPARE(loaded.info.classes, (std::vector<int>{3, 4, 5}));
        QCOMPARE(loaded.info.baseModel, std::string("my-base"));
        QVERIFY(sameBits(fresh, model));

        const Matrix x = Matrix::Random(5, 10);
        QVERIFY(sameBits(Matrix(fresh.forward(x)), Matrix(model.forward(x))));
    }

    void keyVariants_data() {
        QTest::addColumn<QString>("prefix");
        QTest::addColumn<QString>("adapterName");
        QTest::newRow("prefixed") << "base_model.model."
                                  << "";
        QTest::newRow("bare") << ""
                              << "";
        QTest::newRow("prefixed .default") << "base_model.model."
                                           << ".default";
        QTest::newRow("bare .default") << ""
                                       << ".default";
    }

    void keyVariants() {
        QFETCH(QString, prefix);
        QFETCH(QString, adapterName);
        const QString a = prefix + "fc2.lora_A" + adapterName + ".weight";
        const QString b = prefix + "fc2.lora_B" + adapterName + ".weight";
        writeDir(path("a"), kConfig, a + ":2x6," + b + ":4x2");
        Mlp model = m_base;
        const LoadedAdapter loaded = loadAdapter(path("a"), model);
        QCOMPARE(loaded.config.targets, std::vector<std::string>{"fc2"});
        QCOMPARE(loaded.config.spec.rank, 2);
        QCOMPARE(loaded.config.spec.alpha, 4.0f);
        QVERIFY(!model.adapter(0) && model.adapter(1) && !model.adapter(2));
        const auto expected = tensors(a + ":2x6," + b + ":4x2");
        QCOMPARE(model.adapter(1)->A(1, 5), expected[0].data[11]);
        QCOMPARE(model.adapter(1)->B(3, 1), expected[1].data[7]);
    }

    // PEFT's matching rule: plain keys by dotted suffix, others as regular expressions.
    void uniformPatternsOverrideR() {
        writeDir(path("a"),
                 R"({"peft_type":"LORA","r":2,"lora_alpha":4,"rank_pattern":{"fc1":3,"fc[3]":3},
                     "alpha_pattern":{"fc1":6,"fc3":6,"fc2":1}})",
                 "fc1.lora_A.weight:3x10,fc1.lora_B.weight:6x3,fc3.lora_A.weight:3x4,fc3.lora_B."
                 "weight:3x3");
        Mlp model = m_base;
        const LoadedAdapter loaded = loadAdapter(path("a"), model);
        QCOMPARE(loaded.config.targets, (std::vector<std::string>{"fc1", "fc3"}));
        for (const char* layer : {"fc1", "fc3"}) {
            QCOMPARE(loaded.config.specFor(layer).rank, 3);
            QCOMPARE(loaded.config.specFor(layer).alpha, 6.0f);
        }
        QCOMPARE(model.adapter(2)->rank(), 3);
        QCOMPARE(model.adapter(2)->scale(), 2.0f);
    }

    // rank_pattern / alpha_pattern: layers of different rank and alpha are written with
    // patterns (only for the layers that differ) and come back bit for bit.
    void perLayerRanksRoundTrip() {
        Mlp model = m_base;
        LoraConfig config;
        config.spec = {2, 4.0f, false, LoraInit::Kaiming};
        config.rankPattern = {{"fc3", 1}};
        config.alphaPattern = {{"fc2", 0.5f}, {"fc3", 8.0f}};
        Rng rng(3);
        model.attachLora(config, rng);
        for (int i = 0; i < model.layerCount(); ++i)
            for (Eigen::Index k = 0; k < model.adapter(i)->B.size(); ++k)
                model.adapter(i)->B.data()[k] = rng.normal();
        saveAdapter(path("p"), model, {});
        const QJsonObject written =
            QJsonDocument::fromJson(QByteArray::fromStdString(slurp(path("p/adapter_config.json"))))
                .object();
        QCOMPARE(written["r"].toInt(), 2);
        QCOMPARE(written["lora_alpha"].toInt(), 4);
        QCOMPARE(written["rank_pattern"].toObject(), (QJsonObject{{"fc3", 1}}));
        QCOMPARE(written["alpha_pattern"].toObject(), (QJsonObject{{"fc2", 0.5}, {"fc3", 8}}));

        Mlp fresh = m_base;
        const LoadedAdapter loaded = loadAdapter(path("p"), fresh);
        QCOMPARE(loaded.config.rankPattern, config.rankPattern);
        QCOMPARE(loaded.config.alphaPattern, config.alphaPattern);
        QCOMPARE(fresh.adapter(2)->rank(), 1);
        QCOMPARE(fresh.adapter(2)->scale(), 8.0f);
        QCOMPARE(fresh.adapter(1)->scale(), 0.25f);
        QVERIFY(sameBits(fresh, model));
        const Matrix x = Matrix::Random(5, 10);
        QVERIFY(sameBits(Matrix(fresh.forward(x)), Matrix(model.forward(x))));
    }

    void readAdapterLeavesNoTrace() {
        writeDir(path("a"), kConfig, kGood, {{"lora_explorer.test_accuracy", "97.25"}});
        const ImportedAdapter a = readAdapter(path("a"), m_base);
        QCOMPARE(a.weights.layers.size(), std::size_t(2));
        QCOMPARE(a.weights.layers[1].layer, 2);
        QCOMPARE(a.weights.layers[1].spec.scale(), 2.0f);
        QCOMPARE(a.info.testAccuracy, 97.25f);
        QVERIFY(!m_base.hasLora());
    }

    // Every field set to its neutral value, as recent PEFT versions write them, and the
    // target_modules forms whose matches we reproduce.
    void neutralFieldsLoad_data() {
        QTest::addColumn<QString>("fields");
        QTest::newRow("PEFT 0.17 defaults")
            << R"("bias": "none", "modules_to_save": null, "layers_to_transform": null,
                  "layers_pattern": null, "exclude_modules": null, "target_parameters": null,
                  "trainable_token_indices": null, "layer_replication": null,
                  "megatron_config": null, "megatron_core": "megatron.core", "lora_bias": false,
                  "use_dora": false, "use_qalora": false, "fan_in_fan_out": false,
                  "inference_mode": true, "loftq_config": {}, "eva_config": null,
                  "corda_config": null, "qalora_group_size": 16, "target_modules": ["fc3", "fc1"])";
        QTest::newRow("empty lists") << R"("modules_to_save": [], "layers_to_transform": [])";
        QTest::newRow("full names") << R"("target_modules": ["model.fc1", "model.fc3"])";
        QTest::newRow("all-linear") << R"("target_modules": "all-linear")";
    }
    void neutralFieldsLoad() {
        QFETCH(QString, fields);
        writeDir(path("a"), R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, )" + fields + "}",
                 kGood);
        Mlp model = m_base;
        const LoadedAdapter loaded = loadAdapter(path("a"), model);
        QCOMPARE(loaded.config.targets, (std::vector<std::string>{"fc1", "fc3"}));
    }

    void loadReplacesExistingAdapter() {
        Mlp model = m_base;
        LoraConfig config;
        config.spec.rank = 5;
        config.targets = {"fc2"};
        Rng rng(9);
        model.attachLora(config, rng);
        model.adapter(1)->B.setConstant(0.5f);
        model.mergeLora();
        writeDir(path("a"), kConfig, kGood);
        loadAdapter(path("a"), model);
        QVERIFY(model.adapter(0) && !model.adapter(1) && model.adapter(2));
        for (int i = 0; i < model.layerCount(); ++i) // the merged delta was taken out again
            QVERIFY((model.layer(i).W - m_base.layer(i).W).cwiseAbs().maxCoeff() < 1e-6f);
    }

    void saveNeedsAnAdapter() {
        QCOMPARE(errorOf([&] { saveAdapter(path("out"), m_base, {}); }),
                 "cannot save an adapter to " + path("out") + ": the model has no LoRA attached");
        QVERIFY(!fs::exists(path("out")));
    }
};

QTEST_APPLESS_MAIN(TestAdapterDir)
#include "tst_adapter_dir.moc"
