// lora-cli adapters end to end: list shows a library of folders; import reads what PEFT
// writes (F16, ".default." keys, rank_pattern) and agrees with eval; merge and unmerge
// give the base back within 1e-6; combine's rank and ΔW follow the method; bad requests
// exit with 2, one line, and write nothing.
#include "cli_runner.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "util/rng.h"

#include <Eigen/Core>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using lora::test::runCli;

namespace {

// An adapter folder as PEFT would leave it for a model saved in half precision: F16
// tensors, keys with the adapter name, a config with fields we do not use, and a
// rank_pattern giving fc2 a smaller rank than r.
void writePeftF16Adapter(const QString& dir, const lora::Mlp& base, std::uint64_t seed) {
    QDir().mkpath(dir);
    QFile config(dir + "/adapter_config.json");
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"peft_type": "LORA", "task_type": null, "r": 4, "lora_alpha": 8,
        "rank_pattern": {"fc2": 2}, "alpha_pattern": {}, "use_rslora": false,
        "target_modules": ["fc1", "fc2"], "lora_dropout": 0.05, "megatron_config": null,
        "auto_mapping": {"base_model_class": "Net"}, "some_future_field": [1, 2]})");
    config.close();
    lora::Rng rng(seed);
    QJsonObject header;
    QByteArray data;
    auto add = [&](const QString& key, int rows, int cols) {
        const qsizetype begin = data.size();
        for (int i = 0; i < rows * cols; ++i) {
            const auto bits = Eigen::numext::bit_cast<std::uint16_t>(Eigen::half(rng.normal()));
            data.append(char(bits & 0xff)).append(char(bits >> 8));
        }
        header[key] = QJsonObject{{"dtype", "F16"},
                                  {"shape", QJsonArray{rows, cols}},
                                  {"data_offsets", QJsonArray{begin, data.size()}}};
    };
    add("base_model.model.fc1.lora_A.default.weight", 4, base.layer(0).in());
    add("base_model.model.fc1.lora_B.default.weight", base.layer(0).out(), 4);
    add("base_model.model.fc2.lora_A.default.weight", 2, base.layer(1).in());
    add("base_model.model.fc2.lora_B.default.weight", base.layer(1).out(), 2);
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8) json.append(' ');
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = char((quint64(json.size()) >> (8 * i)) & 0xff);
    QFile weights(dir + "/adapter_model.safetensors");
    QVERIFY(weights.open(QIODevice::WriteOnly));
    weights.write(bytes + json + data);
}

} // namespace

class TestCliAdapters : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base, m_other, m_r2, m_r3, m_r2b;

    void makeAdapter(const QString& dir, int rank, std::uint64_t seed) {
        lora::LoadedModel loaded = lora::loadModel(m_base.toStdString());
        lora::Rng rng(seed);
        loaded.model.attachLora({{rank, 2.0f * rank}, {}}, rng);
        for (int i = 0; i < loaded.model.layerCount(); ++i) {
            lora::LoraLinear* a = loaded.model.adapter(i);
            for (Eigen::Index k = 0; k < a->B.size(); ++k) a->B.data()[k] = rng.normal();
        }
        lora::saveAdapter(dir.toStdString(), loaded.model, {{7, 8}});
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_base = m_dir.filePath("base.safetensors");
        lora::Mlp model("784-16-2");
        lora::Rng rng(3);
        model.initDefault(rng);
        lora::saveModel(m_base.toStdString(), model, {{3, 4}});
        m_other = m_dir.filePath("other.safetensors");
        lora::Mlp other("784-8-2");
        other.initDefault(rng);
        lora::saveModel(m_other.toStdString(), other, {{3, 4}});
        m_r2 = m_dir.filePath("r2");
        m_r3 = m_dir.filePath("r3");
        m_r2b = m_dir.filePath("r2b");
        makeAdapter(m_r2, 2, 1);
        makeAdapter(m_r3, 3, 2);
        makeAdapter(m_r2b, 2, 4);
    }

    void combine_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("second");
        QTest::addColumn<int>("rank");
        QTest::addColumn<double>("gapBound"); // largest |ΔW_new − Σ wᵢΔWᵢ| allowed
        QTest::newRow("cat") << "cat"
                             << "r3" << 5 << 1e-6;
        // fc2 (16→2) holds rank 2 at most; svd's exactness is checked in tst_adapter_combine.
        QTest::newRow("svd rank 2") << "svd"
                                    << "r3" << 2 << 1e9;
        QTest::newRow("linear") << "linear"
                                << "r2b" << 2 << 1e9; // PEFT's √w: not exact
    }
    void combine() {
        QFETCH(QString, method);
        QFETCH(QString, second);
        QFETCH(int, rank);
        QFETCH(double, gapBound);
        const QString out = m_dir.filePath("combined-" + method);
        QStringList args{"adapters", "combine",    "--base",
                         m_base,     "--adapters", m_r2 + "," + m_dir.filePath(second),
                         "--method", method,       "--weights",
                         "0.5,1.5",  "--out",      out};
        if (method == "svd")
            args << "--rank"
                 << "2";
        const auto run = runCli(args);
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QCOMPARE(run.json["rank"].toInt(), rank);
        QCOMPARE(run.json["alpha"].toDouble(), double(rank));
        const QJsonArray layers = run.json["layers"].toArray();
        QCOMPARE(layers.size(), 2);
        for (const auto& l : layers) QVERIFY(l.toObject()["max_abs_gap"].toDouble() <= gapBound);

        lora::LoadedModel base = lora::loadModel(m_base.toStdString());
        const lora::LoadedAdapter back = lora::loadAdapter(out.toStdString(), base.model);
        QCOMPARE(back.config.spec.rank, rank);
        QCOMPARE(back.config.spec.scale(), 1.0f);
        QCOMPARE(back.info.classes, (std::vector<int>{7, 8}));
    }

    void merge() {
        const QString out = m_dir.filePath("merged.safetensors");
        const auto run =
            runCli({"adapters", "merge", "--base", m_base, "--adapter", m_r3, "--out", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QVERIFY(run.json["max_unmerge_error"].toDouble() <= 1e-6);
        QVERIFY(run.json["max_logit_diff"].toDouble() < 1e-3);
        QCOMPARE(run.json["classes"].toArray().size(), 2);
        // The merged file is a plain base with the adapter's accuracy.
        const auto plain = runCli({"eval", "--base", out, "--classes", "7,8"});
        QCOMPARE(plain.exitCode, 0);
        QCOMPARE(plain.json["lora"].toBool(), false);
        QCOMPARE(plain.json["accuracy"].toDouble(), run.json["accuracy_merged"].toDouble());
    }

    void list() {
        // A folder of adapters, plus a folder that is not one.
        const QDir library(m_dir.filePath("library"));
        for (const char* sub : {"r2", "r3", "notes"}) QVERIFY(library.mkpath(sub));
        for (const QString sub : {"r2", "r3"})
            for (const char* file : {"adapter_config.json", "adapter_model.safetensors"})
                QVERIFY(QFile::copy(m_dir.filePath(sub + "/" + file),
                                    library.filePath(sub + "/" + file)));
        const auto byDir = runCli({"adapters", "list", "--base", m_base, "--dir", library.path()});
        QVERIFY2(byDir.exitCode == 0, qPrintable(byDir.stdErr));
        QCOMPARE(byDir.json["count"].toInt(), 2);
        const QJsonObject r3 = byDir.json["adapters"].toArray()[1].toObject();
        QCOMPARE(r3["name"].toString(), QString("r3"));
        QCOMPARE(r3["rank"].toInt(), 3);
        QCOMPARE(r3["alpha"].toDouble(), 6.0);
        QCOMPARE(r3["targets"].toArray(), (QJsonArray{"fc1", "fc2"}));
        QCOMPARE(r3["classes"].toArray(), (QJsonArray{7, 8}));
        QCOMPARE(r3["params"].toInt(), 3 * (784 + 16) + 3 * (16 + 2));
        // The bytes it would take are the bytes it takes.
        QCOMPARE(r3["bytes"].toInteger(), r3["bytes_on_disk"].toInteger());

        const auto two =
            runCli({"adapters", "list", "--base", m_base, "--adapters", m_r2 + "," + m_r3});
        QCOMPARE(two.json["count"].toInt(), 2);
    }

    void importPeftF16() {
        lora::LoadedModel base = lora::loadModel(m_base.toStdString());
        const QString peft = m_dir.filePath("peft-f16");
        writePeftF16Adapter(peft, base.model, 21);
        const QString out = m_dir.filePath("peft-f16-ours");
        const auto run = runCli({"adapters", "import", "--base", m_base, "--adapter", peft,
                                 "--classes", "3,4", "--out", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QCOMPARE(run.json["name"].toString(), QString("peft-f16"));
        const QJsonArray layers = run.json["layers"].toArray();
        QCOMPARE(layers[0].toObject()["rank"].toInt(), 4);
        QCOMPARE(layers[1].toObject()["rank"].toInt(), 2);
        QCOMPARE(layers[1].toObject()["scale"].toDouble(), 4.0); // α 8 / r 2
        // The accuracy import reports is what eval measures on the re-written folder.
        const auto eval = runCli({"eval", "--base", m_base, "--adapter", out, "--classes", "3,4"});
        QVERIFY2(eval.exitCode == 0, qPrintable(eval.stdErr));
        QCOMPARE(run.json["test_accuracy"].toDouble(), eval.json["accuracy"].toDouble());
        // F16 widened to float is exact, so the canonical copy holds the same numbers.
        lora::Mlp a = base.model, b = base.model;
        lora::loadAdapter(peft.toStdString(), a);
        lora::loadAdapter(out.toStdString(), b);
        for (int i = 0; i < 2; ++i) {
            QVERIFY(a.adapter(i)->A == b.adapter(i)->A);
            QVERIFY(a.adapter(i)->B == b.adapter(i)->B);
        }
    }

    void unmergeGivesTheBaseBack() {
        const QString merged = m_dir.filePath("merged-r2.safetensors");
        const QString back = m_dir.filePath("unmerged-r2.safetensors");
        QCOMPARE(runCli({"adapters", "merge", "--base", m_base, "--adapter", m_r2, "--out", merged})
                     .exitCode,
                 0);
        const auto run = runCli({"adapters", "unmerge", "--merged", merged, "--adapter", m_r2,
                                 "--original", m_base, "--out", back});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        const double diff = run.json["max_abs_diff_vs_original"].toDouble();
        QVERIFY2(diff <= 1e-6, qPrintable(QString::number(diff)));
        const lora::LoadedModel original = lora::loadModel(m_base.toStdString());
        const lora::LoadedModel restored = lora::loadModel(back.toStdString());
        double worst = 0;
        for (int i = 0; i < 2; ++i)
            worst = std::max<double>(
                worst,
                (restored.model.layer(i).W - original.model.layer(i).W).cwiseAbs().maxCoeff());
        QCOMPARE(worst, diff); // the figure printed is the figure on disk
        QCOMPARE(restored.info.classes, (std::vector<int>{3, 4})); // the original's digits
    }

    void badRequests_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no action") << QStringList{}
                                   << "adapters needs an action: list, import, merge, unmerge or "
                                      "combine";
        QTest::newRow("action") << QStringList{"split"} << "unknown adapters action 'split'";
        QTest::newRow("one adapter")
            << QStringList{"combine", "--adapters", "R2"} << "at least two adapters";
        QTest::newRow("ranks") << QStringList{"combine", "--adapters", "R2,R3", "--method",
                                              "linear"}
                               << "linear combination needs equal ranks (fc1 has 2 and 3)";
        QTest::newRow("weights") << QStringList{"combine", "--adapters", "R2,R3", "--weights", "1"}
                                 << "--weights has 1 values for 2 adapters";
        QTest::newRow("weight text")
            << QStringList{"combine", "--adapters", "R2,R3", "--weights", "1,x"}
            << "--weights: 'x' is not a number";
        QTest::newRow("method") << QStringList{"combine", "--adapters", "R2,R3", "--method", "ties"}
                                << "unknown combination 'ties'";
        QTest::newRow("svd rank") << QStringList{"combine", "--adapters", "R2,R3", "--method",
                                                 "svd",     "--rank",     "3"}
                                  << "svd rank must be between 1 and 2 for fc2, not 3";
        QTest::newRow("list both")
            << QStringList{"list", "--base", "BASE", "--adapters", "R2", "--dir", "R3"}
            << "give exactly one of --adapters DIR,DIR or --dir PARENT";
        QTest::newRow("import other base")
            << QStringList{"import", "--base", "OTHER", "--adapter", "R2"}
            << "adapter was trained on a 784-16-2 base but the model is 784-8-2";
        QTest::newRow("unmerge without out")
            << QStringList{"unmerge", "--merged", "BASE", "--adapter", "R2"} << "--out";
        QTest::newRow("missing dir")
            << QStringList{"combine", "--adapters", "R2,nowhere"} << "nowhere: not a directory";
    }
    void badRequests() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString out = m_dir.filePath("never");
        args.replaceInStrings("R2", m_r2).replaceInStrings("R3", m_r3);
        args.replaceInStrings("BASE", m_base).replaceInStrings("OTHER", m_other);
        if (!args.isEmpty() && args.first() == "combine")
            args << "--base" << m_base << "--out" << out;
        const auto run = runCli(QStringList{"adapters"} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(message), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(!QDir(out).exists());
    }
};

QTEST_GUILESS_MAIN(TestCliAdapters)
#include "tst_cli_adapters.moc"
