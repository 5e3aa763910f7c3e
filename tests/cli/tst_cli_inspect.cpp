// lora-cli inspect through the real binary: the JSON contract of issue 22 (format, metadata
// with kohya's JSON strings parsed, base_model, params, bytes, and per module name, type,
// shape, rank, alpha, scale, delta_norm, singular_values, effective_rank, rank_for_energy,
// params) on a kohya file and a PEFT folder, PATH bare or as --path; bad input exits 2 with
// one line naming the file.
#include "io/safetensors.h"

#include "cli_runner.h"
#include "lora_test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <fstream>

using lora::test::runCli;

class TestCliInspect : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void kohyaContract() {
        const QString path = m_dir.filePath("kohya.safetensors");
        lora::writeSafetensors(path.toStdString(), lora::test::kohyaFile().tensors);
        for (const QStringList& args :
             {QStringList{"inspect", path}, QStringList{"inspect", "--path", path}}) {
            const lora::test::CliRun run = runCli(args);
            QCOMPARE(run.exitCode, 0);
            const QJsonObject j = run.json;
            QCOMPARE(j["format"].toString(), QString("kohya"));
            QCOMPARE(j["base_model"].toString(), QString("sdxl_base_v1-0"));
            QCOMPARE(j["metadata"]["ss_tag_frequency"]["set"]["cat"].toInt(), 12); // parsed
            QCOMPARE(j["metadata"]["ss_network_dim"].toString(), QString("4"));
            QCOMPARE(j["bytes"].toInteger(), QFileInfo(path).size());
            const QJsonArray modules = j["modules"].toArray();
            QCOMPARE(modules.size(), 3);
            const QJsonObject conv = modules[0].toObject();
            QCOMPARE(conv["name"].toString(), QString("lora_unet_input_blocks_4_0_in_layers_2"));
            QCOMPARE(conv["type"].toString(), QString("lora"));
            QCOMPARE(conv["shape"].toArray(), (QJsonArray{8, 6, 3, 3}));
            QCOMPARE(conv["rank"].toInt(), 4);
            QCOMPARE(conv["alpha"].toDouble(), 2.0);
            QCOMPARE(conv["scale"].toDouble(), 0.5);
            QCOMPARE(conv["singular_values"].toArray().size(), 4);
            double energy = 0;
            for (const auto v : conv["singular_values"].toArray())
                energy += v.toDouble() * v.toDouble();
            QVERIFY(std::abs(std::sqrt(energy) - conv["delta_norm"].toDouble()) < 1e-9 * energy);
            QVERIFY(conv["effective_rank"].toDouble() >= 1.0);
            QVERIFY(conv["effective_rank"].toDouble() <= 4.0);
            QVERIFY(conv["rank_for_energy"]["0.9"].toInt() <=
                    conv["rank_for_energy"]["0.99"].toInt());
            QCOMPARE(conv["params"].toInt(), 4 * 6 * 9 + 8 * 4 + 1);
        }
    }

    void peftFolder() {
        const lora::test::TestLoraFile f = lora::test::peftFile();
        const QString dir = m_dir.filePath("peft");
        QDir().mkpath(dir);
        lora::writeSafetensors((dir + "/adapter_model.safetensors").toStdString(), f.tensors);
        std::ofstream((dir + "/adapter_config.json").toStdString()) << f.config;
        const lora::test::CliRun run = runCli({"inspect", dir});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["format"].toString(), QString("peft"));
        QCOMPARE(run.json["base_model"].toString(), QString("tiny-llama"));
        QCOMPARE(run.json["modules"].toArray().size(), 4);
    }

    void refusals_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        QTest::newRow("no such file") << QStringList{"inspect", "/nonexistent/x.safetensors"}
                                      << "cannot open /nonexistent/x.safetensors";
        QTest::newRow("no path") << QStringList{"inspect"} << "--path is required";
        QTest::newRow("two paths") << QStringList{"inspect", "a", "b"} << "unexpected argument 'b'";
        QDir(m_dir.path()).mkdir("empty");
        QTest::newRow("a folder without an adapter")
            << QStringList{"inspect", m_dir.filePath("empty")} << "empty/adapter_config.json";
    }
    void refusals() {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        const lora::test::CliRun run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(says), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(run.json.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCliInspect)
#include "tst_cli_inspect.moc"
