// PEFT-style adapter directories that are refused, each with its one-line message, and
// failures that leave the model exactly as it was.
#include "io/adapter_dir.h"
#include "util/error.h"
#include "util/rng.h"

#include "adapter_dir_files.h"
#include "error_of.h"
#include "same_bits.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace lora;
using lora::test::errorOf;
using lora::test::kConfig;
using lora::test::kGood;
using lora::test::sameBits;
using lora::test::writeDir;

namespace {

// The config file's own faults.
void addConfigFaultRows() {
    QTest::newRow("missing config") << "<none>" << kGood << ""
                                    << "{dir}: adapter_config.json not found";
    QTest::newRow("config not JSON") << "{\"r\": " << kGood << ""
                                     << "{cfg}: not valid JSON";
    QTest::newRow("config not object") << "[1]" << kGood << ""
                                       << "{cfg}: not a JSON object";
    QTest::newRow("no peft_type") << R"({"r": 2})" << kGood << ""
                                  << "{cfg}: peft_type is missing";
    QTest::newRow("IA3") << R"({"peft_type": "IA3", "r": 2})" << kGood << ""
                         << R"({cfg}: peft_type is "IA3"; only LORA adapters are supported)";
    QTest::newRow("r zero") << R"({"peft_type": "LORA", "r": 0})" << kGood << ""
                            << "{cfg}: r must be a positive integer (got 0)";
    QTest::newRow("r fractional") << R"({"peft_type": "LORA", "r": 2.5})" << kGood << ""
                                  << "{cfg}: r must be a positive integer (got 2.5)";
    QTest::newRow("alpha string") << R"({"peft_type": "LORA", "r": 2, "lora_alpha": "x"})" << kGood
                                  << ""
                                  << R"({cfg}: lora_alpha must be a positive number (got "x"))";
    QTest::newRow("alpha negative")
        << R"({"peft_type": "LORA", "r": 2, "lora_alpha": -1})" << kGood << ""
        << "{cfg}: lora_alpha must be a positive number (got -1)";
    QTest::newRow("rslora not bool")
        << R"({"peft_type": "LORA", "use_rslora": "yes"})" << kGood << ""
        << R"({cfg}: use_rslora must be true or false (got "yes"))";
    QTest::newRow("peft_type long")
        << R"({"peft_type": ")" + QString(5000, 'x') + R"("})" << kGood << ""
        << "{cfg}: peft_type is (a string of 5000 bytes); only LORA adapters are supported";
}

// PEFT LoraConfig fields we do not implement: refused by name, never ignored; flags must be
// JSON booleans, since a 1 or "true" read either way could load another adapter.
void addUnsupportedFieldRows() {
    const QString head = R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, )";
    auto row = [&](const char* name, const QString& fields, const QString& message) {
        QTest::newRow(name) << head + fields + "}" << kGood << ""
                            << "{cfg}: " + message;
    };
    row("DoRA", R"("use_dora": true)",
        "use_dora true is not supported: DoRA rescales each column by a learned magnitude");
    row("DoRA as 1", R"("use_dora": 1)", "use_dora must be true or false (got 1)");
    row("DoRA as string", R"("use_dora": "true")",
        R"(use_dora must be true or false (got "true"))");
    row("DoRA as null", R"("use_dora": null)", "use_dora must be true or false (got null)");
    row("fan_in_fan_out", R"("fan_in_fan_out": true)",
        "fan_in_fan_out true is not supported: it stores the base weights transposed (Conv1D)");
    row("fan_in_fan_out as 0", R"("fan_in_fan_out": 0)",
        "fan_in_fan_out must be true or false (got 0)");
    row("inference_mode string", R"("inference_mode": "yes")",
        R"(inference_mode must be true or false (got "yes"))");
    row("lora_bias", R"("lora_bias": true)",
        "lora_bias true is not supported: it adds a trained bias to lora_B");
    row("bias all", R"("bias": "all")",
        R"(bias "all" is not supported: it trains the base's biases too; only "none" is)");
    row("bias lora_only", R"("bias": "lora_only")",
        R"(bias "lora_only" is not supported: it trains the base's biases too; only "none" is)");
    row("bias null", R"("bias": null)",
        R"(bias null is not supported: it trains the base's biases too; only "none" is)");
    row("modules_to_save", R"("modules_to_save": ["classifier"])",
        R"(modules_to_save ["classifier"] is not supported: it saves whole trained copies )"
        "of other modules");
    row("layers_to_transform", R"("layers_to_transform": [0, 1])",
        "layers_to_transform [0,1] is not supported: it adapts only chosen repeats of a block, "
        "which our MLPs lack");
    row("layers_pattern", R"("layers_pattern": "layers")",
        R"(layers_pattern "layers" is not supported: it adapts only chosen repeats of a block, )"
        "which our MLPs lack");
    row("megatron_config", R"("megatron_config": {"tp": 2})",
        R"(megatron_config {"tp":2} is not supported: it targets Megatron's parallel layers)");
    row("layer_replication", R"("layer_replication": [[0, 2]])",
        "layer_replication [[0,2]] is not supported: it duplicates base layers");
    row("long value", R"("modules_to_save": [)" + QString("1,").repeated(500) + "1]",
        "modules_to_save (a list of 501 items) is not supported: it saves whole trained copies "
        "of other modules");
    row("init number", R"("init_lora_weights": 1)",
        "init_lora_weights must be true, false or a method name (got 1)");
}

// target_modules against the tensors present (kGood holds fc1 and fc3).
void addTargetModuleRows() {
    const QString head = R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": )";
    auto row = [&](const char* name, const QString& targets, const QString& message) {
        QTest::newRow(name) << head + targets + "}" << kGood << ""
                            << "{cfg}: " + message;
    };
    row("target without tensors", R"(["fc1", "fc2", "fc3"])",
        R"(target_modules lists "fc2" but the weights hold no LoRA tensors for it)");
    row("target of another model", R"(["fc1", "q_proj", "fc3"])",
        R"(target_modules lists "q_proj" but the weights hold no LoRA tensors for it)");
    row("tensors not targeted", R"(["fc1"])",
        "the weights hold LoRA tensors for fc3, which target_modules does not list");
    row("regex", R"(".*fc[13]")",
        R"(target_modules entry ".*fc[13]" is not supported: give plain module names, not a )"
        "regular expression");
    row("empty list", "[]", "target_modules must be a non-empty list of module names");
    row("not names", "[1, 2]", "target_modules must be a non-empty list of module names");
}

// The weights file's own faults: keys, pairs, shapes against the base and r.
void addWeightFaultRows() {
    QTest::newRow("missing weights") << kConfig << "<none>"
                                     << ""
                                     << "{dir}: adapter_model.safetensors not found";
    QTest::newRow("no tensors") << kConfig << ""
                                << ""
                                << "{w}: no LoRA tensors";
    QTest::newRow("unknown layer")
        << kConfig << kGood + ",fc9.lora_A.weight:2x4"
        << ""
        << "{w}: adapter key 'fc9.lora_A.weight' matches no layer of the 10-6-4-3 base";
    QTest::newRow("not a lora key") << kConfig << kGood + ",fc1.weight:6x10"
                                    << ""
                                    << "unexpected tensor 'fc1.weight' in {w}";
    QTest::newRow("lora bias") << kConfig << kGood + ",fc1.lora_B.bias:6"
                               << ""
                               << "unexpected tensor 'fc1.lora_B.bias' in {w}";
    QTest::newRow("twice")
        << kConfig << kGood + ",base_model.model.fc1.lora_A.default.weight:2x10"
        << ""
        << "{w}: 'fc1.lora_A.weight' and 'base_model.model.fc1.lora_A.default.weight' are both "
           "fc1.lora_A";
    QTest::newRow("A without B") << kConfig << "fc1.lora_A.weight:2x10"
                                 << ""
                                 << "{w}: fc1 has lora_A but no lora_B";
    QTest::newRow("B without A") << kConfig << "fc2.lora_B.weight:4x2"
                                 << ""
                                 << "{w}: fc2 has lora_B but no lora_A";
    QTest::newRow("A inputs") << kConfig << "fc1.lora_A.weight:2x100,fc1.lora_B.weight:6x2"
                              << ""
                              << "{w}: fc1.lora_A.weight is [2,100] but fc1 takes 10 inputs";
    QTest::newRow("B outputs") << kConfig << "fc1.lora_A.weight:2x10,fc1.lora_B.weight:7x2"
                               << ""
                               << "{w}: fc1.lora_B.weight is [7,2] but fc1 has 6 outputs";
    QTest::newRow("A rank") << kConfig << "fc1.lora_A.weight:3x10,fc1.lora_B.weight:6x3"
                            << ""
                            << "{w}: fc1.lora_A.weight is [3,10] but r is 2";
    QTest::newRow("B rank") << kConfig << "fc1.lora_A.weight:2x10,fc1.lora_B.weight:6x3"
                            << ""
                            << "{w}: fc1.lora_B.weight is [6,3] but r is 2";
    QTest::newRow("A 1-D") << kConfig << "fc1.lora_A.weight:20,fc1.lora_B.weight:6x2"
                           << ""
                           << "{w}: fc1.lora_A.weight is [20] but must be 2-D";
}

// The per-layer patterns, a PiSSA init PEFT did not convert, and another base.
void addPatternAndBaseRows() {
    QTest::newRow("rank_pattern disagrees")
        << R"({"peft_type": "LORA", "r": 2, "rank_pattern": {"fc3": 4}})" << kGood << ""
        << "{w}: fc3.lora_A.weight is [2,4] but r is 4";
    QTest::newRow("unconverted PiSSA")
        << R"({"peft_type": "LORA", "r": 2, "init_lora_weights": "pissa_niter_4"})" << kGood << ""
        << R"({cfg}: init_lora_weights "pissa_niter_4" changes the base weights; save the )"
           "adapter converted to plain LoRA (path_initial_model_for_weight_conversion)";
    QTest::newRow("rank_pattern zero")
        << R"({"peft_type": "LORA", "r": 2, "rank_pattern": {"fc3": 0}})" << kGood << ""
        << "{cfg}: rank_pattern for fc3 must be a positive integer";
    QTest::newRow("other base")
        << kConfig << kGood << "10-8-4-3"
        << "{w}: adapter was trained on a 10-8-4-3 base but the model is 10-6-4-3";
}

} // namespace

class TestAdapterDirRejects : public QObject, protected lora::test::AdapterScratch {
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }
    void cleanup() { emptyScratch(); }

    void rejects_data() {
        QTest::addColumn<QString>("config");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<QString>("arch");    // lora_explorer.architecture metadata, if any
        QTest::addColumn<QString>("message"); // {dir}, {cfg}, {w} are substituted
        addConfigFaultRows();
        addUnsupportedFieldRows();
        addTargetModuleRows();
        addWeightFaultRows();
        addPatternAndBaseRows();
    }

    void rejects() {
        QFETCH(QString, config);
        QFETCH(QString, weights);
        QFETCH(QString, arch);
        QFETCH(QString, message);
        const std::string dir = path("bad");
        std::map<std::string, std::string> meta;
        if (!arch.isEmpty()) meta["lora_explorer.architecture"] = arch.toStdString();
        writeDir(dir, config, weights, meta);
        const QString d = QString::fromStdString(dir);
        message.replace("{dir}", d)
            .replace("{cfg}", d + "/adapter_config.json")
            .replace("{w}", d + "/adapter_model.safetensors");
        Mlp model = m_base;
        QCOMPARE(QString::fromStdString(errorOf([&] { loadAdapter(dir, model); })), message);
        QVERIFY(sameBits(model, m_base));
    }

    void missingDirectory() {
        Mlp model = m_base;
        QCOMPARE(errorOf([&] { loadAdapter(path("nowhere"), model); }),
                 path("nowhere") + ": not a directory");
    }

    void failedLoadLeavesModelUntouched() {
        Mlp model = m_base;
        LoraConfig config;
        config.spec.rank = 5;
        config.targets = {"fc2"};
        Rng rng(9);
        model.attachLora(config, rng);
        model.adapter(1)->B.setConstant(0.5f);
        model.mergeLora();
        const Mlp before = model;
        const LoraLinear* adapterBefore = model.adapter(1);
        // fc1 is fine; fc3's B is wrong, found only after fc1 was examined.
        writeDir(path("bad"), kConfig,
                 "fc1.lora_A.weight:2x10,fc1.lora_B.weight:6x2,fc3.lora_A.weight:2x4,fc3.lora_B."
                 "weight:2x2");
        QVERIFY(errorOf([&] {
                    loadAdapter(path("bad"), model);
                }).find("fc3.lora_B.weight is [2,2]") != std::string::npos);
        QCOMPARE(model.adapter(1), adapterBefore);
        QVERIFY(sameBits(model, before));
        QVERIFY(model.adapter(1)->merged());
    }
};

QTEST_APPLESS_MAIN(TestAdapterDirRejects)
#include "tst_adapter_dir_rejects.moc"
