// Parameter budget: the presets reproduce the published counts exactly (seeds 000/001/003,
// PEFT's print_trainable_parameters for GPT-2 and Llama-2-7B), MLP shapes agree with a real
// Mlp carrying adapters, PEFT's suffix rule, input errors and the memory table.
#include "linalg/parameter_budget.h"
#include "nn/mlp.h"
#include "util/error.h"
#include "util/rng.h"

#include <QtTest>
#include <cmath>
#include <functional>

using namespace lora;

using Targets = std::vector<std::string>;
Q_DECLARE_METATYPE(Targets)
Q_DECLARE_METATYPE(std::function<void()>)

namespace {

ParameterBudget presetBudget(const QString& preset, int rank = 0) {
    const ModelShape m = presetShape(preset.toStdString());
    return computeBudget(m, rank > 0 ? rank : m.defaultRank, m.defaultAlpha, m.defaultTargets);
}

} // namespace

class TestParameterBudget : public QObject {
    Q_OBJECT
private slots:
    void presetCounts_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("rank"); // 0: the preset's default
        QTest::addColumn<qint64>("base");
        QTest::addColumn<qint64>("lora");
        QTest::addColumn<double>("reduction");
        const auto row = [](const char* tag, const char* preset, int rank, qint64 base, qint64 lora,
                            double reduction) {
            QTest::newRow(tag) << QString(preset) << rank << base << lora << reduction;
        };
        row("seed000", "seed000", 0, 50370, 3656, 50304 / 3656.0);
        row("seed000 r2", "seed000", 2, 50370, 1828, 50304 / 1828.0);
        row("seed000 r8", "seed000", 8, 50370, 7312, 50304 / 7312.0);
        row("seed000 r16", "seed000", 16, 50370, 14624, 50304 / 14624.0);
        row("richboynet", "richboynet", 0, 2807010, 6794, 2804000 / 6794.0);
        row("gpt2-small", "gpt2-small", 0, 124439808, 294912, 72.0);
        row("llama2-7b", "llama2-7b", 0, 6738415616, 4194304, 256.0);
        row("square4096", "square4096", 0, 16777216, 65536, 256.0);
        row("split512x256", "split512x256", 0, 131072, 6144, 131072 / 6144.0);
    }
    void presetCounts() {
        QFETCH(QString, preset);
        QFETCH(int, rank);
        QFETCH(qint64, base);
        QFETCH(qint64, lora);
        QFETCH(double, reduction);
        const ParameterBudget b = presetBudget(preset, rank);
        QCOMPARE(b.baseParams, std::int64_t(base));
        QCOMPARE(b.loraParams, std::int64_t(lora));
        QCOMPARE(b.totalParams, std::int64_t(base + lora));
        QCOMPARE(b.reduction, reduction);
    }

    // As printed: PEFT's trainable% with 4 decimals, the seeds' increment with 2 and 3.
    void percents() {
        const auto printed = [](double p, int decimals) {
            return QString::number(p, 'f', decimals);
        };
        const ParameterBudget gpt2 = presetBudget("gpt2-small"), llama = presetBudget("llama2-7b");
        QCOMPARE(printed(gpt2.trainablePercent, 4), QString("0.2364"));
        QCOMPARE(printed(llama.trainablePercent, 4), QString("0.0622"));
        QCOMPARE(printed(presetBudget("seed000").incrementPercent, 2), QString("7.26"));
        QCOMPARE(printed(presetBudget("richboynet").incrementPercent, 3), QString("0.242"));
        QCOMPARE(gpt2.totalParams, std::int64_t(124734720)); // PEFT's "all params"
        QCOMPARE(llama.totalParams, std::int64_t(6742609920));
    }

    void perLayer_data() {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("base");
        QTest::addColumn<qint64>("lora");
        const auto row = [](const char* preset, int index, const char* name, qint64 base,
                            qint64 lora) {
            QTest::addRow("%s %s", preset, name)
                << QString(preset) << index << QString(name) << base << lora;
        };
        row("seed000", 0, "fc1", 50240, 3392);
        row("seed000", 1, "fc2", 130, 264);
        row("gpt2-small", 0, "attn.c_attn", 21261312, 294912);
        row("gpt2-small", 1, "attn.c_proj", 7087104, 0);
        row("gpt2-small", 2, "mlp.c_fc", 28348416, 0);
        row("gpt2-small", 3, "mlp.c_proj", 28320768, 0);
        row("llama2-7b", 0, "self_attn.q_proj", 536870912, 2097152);
        row("llama2-7b", 1, "self_attn.k_proj", 536870912, 0);
        row("llama2-7b", 2, "self_attn.v_proj", 536870912, 2097152);
        row("llama2-7b", 6, "mlp.down_proj", 1442840576, 0);
    }
    void perLayer() {
        QFETCH(QString, preset);
        QFETCH(int, index);
        QFETCH(QString, name);
        QFETCH(qint64, base);
        QFETCH(qint64, lora);
        const ParameterBudget b = presetBudget(preset);
        const LayerBudget& l = b.layers.at(index);
        QCOMPARE(l.name, name.toStdString());
        QCOMPARE(l.baseParams, std::int64_t(base));
        QCOMPARE(l.loraParams, std::int64_t(lora));
        QCOMPARE(l.target, lora > 0);
    }

    void agreesWithMlp_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("rank");
        QTest::addColumn<Targets>("targets");
        QTest::newRow("784-64-2 r1 all") << "784-64-2" << 1 << Targets{};
        QTest::newRow("784-64-2 r4 fc1,fc2") << "784-64-2" << 4 << Targets{"fc1", "fc2"};
        QTest::newRow("784-64-2 r8 fc1") << "784-64-2" << 8 << Targets{"fc1"};
        QTest::newRow("784-64-2 r16 fc2") << "784-64-2" << 16 << Targets{"fc2"};
        QTest::newRow("784-1000-2000-10 r1") << "784-1000-2000-10" << 1 << Targets{};
        QTest::newRow("10-7-5-3 r3 fc2") << "10-7-5-3" << 3 << Targets{"fc2"};
    }
    void agreesWithMlp() {
        QFETCH(QString, arch);
        QFETCH(int, rank);
        QFETCH(Targets, targets);
        const ModelShape shape = mlpShape(arch.toStdString());
        QCOMPARE(shape.name, arch.toStdString());
        const ParameterBudget b = computeBudget(shape, rank, 8.0f, targets);
        Mlp mlp(arch.toStdString());
        Rng rng(1);
        QCOMPARE(b.baseParams, std::int64_t(mlp.baseParamCount()));
        mlp.attachLora({{rank, 8.0f, false, LoraInit::Kaiming}, targets}, rng);
        QCOMPARE(b.loraParams, std::int64_t(mlp.trainableParamCount()));
    }

    void suffixRule() {
        QVERIFY(targetMatches("c_proj", "attn.c_proj"));
        QVERIFY(targetMatches("c_proj", "mlp.c_proj"));
        QVERIFY(targetMatches("attn.c_proj", "attn.c_proj"));
        QVERIFY(targetMatches("fc1", "fc1"));
        QVERIFY(!targetMatches("proj", "attn.c_proj"));
        QVERIFY(!targetMatches("c1", "fc1"));
        QVERIFY(!targetMatches("fc1", "fc11"));
        QVERIFY(!targetMatches("", "fc1"));
        // c_proj hits both blocks' projections: 8·(768+768)·12 + 8·(3072+768)·12.
        const ParameterBudget b = computeBudget(presetShape("gpt2-small"), 8, 32.0f, {"c_proj"});
        QCOMPARE(b.loraParams, std::int64_t(516096));
        QVERIFY(!b.layers[0].target && b.layers[1].target && b.layers[3].target);
    }

    void scale() {
        const ModelShape m = mlpShape("4-3");
        QCOMPARE(computeBudget(m, 8, 16.0f, {}).scale, 2.0f);
        QCOMPARE(computeBudget(m, 4, 1.0f, {}).scale, 0.25f);
        QCOMPARE(computeBudget(m, 16, 8.0f, {}, true).scale, 2.0f);
    }

    void inputErrors_data() {
        QTest::addColumn<std::function<void()>>("call");
        QTest::addColumn<QString>("mentions");
        const ModelShape gpt2 = presetShape("gpt2-small"), mlp = mlpShape("784-64-2");
        using F = std::function<void()>;
        const auto budget = [](const ModelShape& m, int rank, float alpha, Targets targets) -> F {
            return [=] { computeBudget(m, rank, alpha, targets); };
        };
        QTest::newRow("unknown preset") << F([] { presetShape("gpt3"); }) << "llama2-7b";
        QTest::newRow("empty width") << F([] { mlpShape("784--2"); }) << "784--2";
        QTest::newRow("one width") << F([] { mlpShape("784"); }) << "784";
        QTest::newRow("not a number") << F([] { mlpShape("abc"); }) << "abc";
        QTest::newRow("rank 0") << budget(mlp, 0, 1.0f, {}) << "rank";
        QTest::newRow("rank -1") << budget(mlp, -1, 1.0f, {}) << "rank";
        QTest::newRow("alpha 0") << budget(mlp, 4, 0.0f, {}) << "alpha";
        QTest::newRow("alpha -1") << budget(mlp, 4, -1.0f, {}) << "alpha";
        QTest::newRow("alpha nan") << budget(mlp, 4, std::nanf(""), {}) << "alpha";
        QTest::newRow("alpha inf") << budget(mlp, 4, HUGE_VALF, {}) << "alpha";
        QTest::newRow("proj") << budget(gpt2, 8, 32.0f, {"proj"})
                              << "'proj' matches no layer of 'gpt2-small' (layers: attn.c_attn, "
                                 "attn.c_proj, mlp.c_fc, mlp.c_proj)";
        QTest::newRow("fc3") << budget(mlp, 4, 1.0f, {"fc1", "fc3"}) << "'fc3' matches no layer";
    }
    void inputErrors() {
        QFETCH(std::function<void()>, call);
        QFETCH(QString, mentions);
        try {
            call();
            QFAIL("no InputError");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(mentions), e.what());
        }
    }

    // seed000: N = 50,370 of which W = 784·64 + 64·2 = 50,304 linear weights; L = 3,656.
    void memoryTableByHand() {
        const std::vector<MemoryRow> rows = presetBudget("seed000").memory;
        const double expected[7][4] = {
            {201480, 201480, 402960, 805920}, // full fp32: 4N, 4N, 8N
            {100740, 100740, 201480, 402960}, // full fp16: 2N, 2N, 4N
            {100740, 100740, 201480, 402960}, // full bf16
            {216104, 14624, 29248, 259976},   // lora fp32: 4(N+L), 4L, 8L
            {108052, 7312, 14624, 129988},    // lora fp16: 2(N+L), 2L, 4L
            {108052, 7312, 14624, 129988},    // lora bf16
            {35740, 7312, 14624, 57676},      // qlora: 0.5625·50,304 + 2·66 + 2L, 2L, 4L
        };
        const char* names[] = {"full fp32", "full fp16", "full bf16",     "lora fp32",
                               "lora fp16", "lora bf16", "qlora nf4+bf16"};
        QCOMPARE(rows.size(), std::size_t(7));
        for (int i = 0; i < 7; ++i) {
            const MemoryRow& r = rows[i];
            QCOMPARE(r.method + " " + r.precision, std::string(names[i]));
            const double got[4] = {r.weightBytes, r.gradientBytes, r.optimizerBytes, r.totalBytes};
            for (int j = 0; j < 4; ++j) QCOMPARE(got[j], expected[i][j]);
        }
    }

    // Seed 004: 7B in fp16 is ~14 GB of weights and another ~28 GB of Adam state.
    void llamaMemory() {
        const ParameterBudget b = presetBudget("llama2-7b");
        const double n = 6738415616.0, l = 4194304.0;
        QCOMPARE(b.memory[1].weightBytes, 2 * n);
        QCOMPARE(b.memory[1].optimizerBytes, 4 * n);
        QCOMPARE(b.memory[1].totalBytes, 8 * n);
        QCOMPARE(b.memory[4].optimizerBytes, 4 * l);
        // 6,476,005,376 linear weights in NF4; 262,410,240 embeddings and norms in bf16.
        QCOMPARE(b.memory[6].weightBytes, 6476005376.0 * 0.5625 + 262410240.0 * 2 + 2 * l);
    }

    void shapesAndDefaults() {
        const ModelShape m = mlpShape("0784-064-2"); // canonical name, plain MLP defaults
        QCOMPARE(m.name, std::string("784-64-2"));
        QVERIFY(m.linears.size() == 2 && m.linears[0].bias && m.linears[1].name == "fc2");
        QVERIFY(m.defaultRank == 8 && m.defaultAlpha == 8.0f && m.defaultTargets.empty());
        QCOMPARE(presetNames().size(), std::size_t(6));
        for (const std::string& name : presetNames()) {
            const ModelShape preset = presetShape(name);
            QCOMPARE(preset.name, name);
            QVERIFY(!preset.description.empty());
        }
        const ModelShape gpt2 = presetShape("gpt2-small"), llama = presetShape("llama2-7b");
        QCOMPARE(gpt2.defaultTargets, Targets{"c_attn"});
        QCOMPARE(llama.defaultAlpha, 16.0f);
        QCOMPARE(llama.defaultTargets, (Targets{"q_proj", "v_proj"}));
    }
};

QTEST_APPLESS_MAIN(TestParameterBudget)
#include "tst_parameter_budget.moc"
