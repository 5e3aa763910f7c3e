// lora-cli combine through the real binary: inputs given bare (combine A B --out C) or as
// --inputs, the JSON contract per method (ranks_in / rank_out, svd's fro_retained, linear's
// linear_gap; bytes_in / bytes_out), a cat whose ΔW lora-cli inspect reads back as the exact
// sum, --to, and the refusals — one exact line, exit 2, nothing written.
#include "cli_runner.h"
#include "lora_test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

class TestCliCombine : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_a, m_b, m_twin, m_diffusers;

    QString write(const QString& name, const lora::test::TestLoraFile& f) {
        return QString::fromStdString(
            lora::test::writeLoraTestFile(m_dir.filePath(name).toStdString(), f));
    }

private slots:
    void initTestCase() {
        m_a = write("a.safetensors", lora::test::kohyaSdxlFile(21, {4, 4, 2}, {2, 4, 1}));
        m_b = write("b.safetensors", lora::test::kohyaSdxlFile(22, {2, 4, 2}, {2, 1, 3}));
        m_twin = write("twin.safetensors", lora::test::kohyaSdxlFile(21, {4, 4, 2}, {2, 4, 1}));
        m_diffusers = write("d.safetensors", lora::test::diffusersFile());
    }

    void methods_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("method");
        QTest::addColumn<QList<int>>("ranksOut");
        QTest::newRow("cat bare") << QStringList{"--weights", "1,0.5"} << "cat"
                                  << QList<int>{6, 8, 4};
        QTest::newRow("svd rank 3")
            << QStringList{"--method", "svd", "--rank", "3"} << "svd" << QList<int>{3, 3, 3};
        QTest::newRow("svd default")
            << QStringList{"--method", "svd"} << "svd" << QList<int>{4, 4, 2};
    }
    void methods() {
        QFETCH(QStringList, args);
        QFETCH(QString, method);
        QFETCH(QList<int>, ranksOut);
        const QString out = m_dir.filePath(QString("out-") + QTest::currentDataTag());
        const lora::test::CliRun run =
            runCli(QStringList{"combine", m_a, m_b, "--out", out} + args);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["command"].toString(), QString("combine"));
        QCOMPARE(run.json["method"].toString(), method);
        QCOMPARE(run.json["format"].toString(), QString("kohya"));
        QCOMPARE(run.json["inputs"].toArray().size(), 2);
        const QJsonArray modules = run.json["modules"].toArray();
        QCOMPARE(modules.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(modules[i]["rank_out"].toInt(), ranksOut[i]);
            QCOMPARE(modules[i]["ranks_in"].toArray().size(), 2);
            QCOMPARE(modules[i].toObject().contains("fro_retained"), method == "svd");
        }
        QCOMPARE(run.json["bytes_in"].toInteger(), QFileInfo(m_a).size() + QFileInfo(m_b).size());
        QCOMPARE(run.json["bytes_out"].toInteger(), QFileInfo(out).size());
        const lora::test::CliRun check = runCli({"inspect", out});
        QCOMPARE(check.exitCode, 0);
        for (int i = 0; i < 3; ++i) QCOMPARE(check.json["modules"][i]["rank"].toInt(), ranksOut[i]);
    }

    // A file combined with itself: cat at weights ½, ½ is the file's ΔW; PEFT's linear at
    // ¼, ¼ is (√¼ + √¼)²·ΔW = ΔW too, while Σ wᵢΔWᵢ = ½ΔW — a linear_gap of exactly 1.
    void selfCombination_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("weights");
        QTest::addColumn<double>("gap");
        QTest::newRow("cat") << "cat"
                             << "0.5,0.5" << -1.0;
        QTest::newRow("linear") << "linear"
                                << "0.25,0.25" << 1.0;
    }
    void selfCombination() {
        QFETCH(QString, method);
        QFETCH(QString, weights);
        QFETCH(double, gap);
        const QString out = m_dir.filePath("self-" + method + ".safetensors");
        const lora::test::CliRun run =
            runCli({"combine", "--inputs", m_a + "," + m_twin, "--out", out, "--method", method,
                    "--weights", weights, "--to", "diffusers"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["format"].toString(), QString("diffusers"));
        for (const auto m : run.json["modules"].toArray())
            if (gap >= 0) QVERIFY(std::abs(m.toObject()["linear_gap"].toDouble() - gap) < 1e-6);
        const QJsonArray before = runCli({"inspect", m_a}).json["modules"].toArray();
        const QJsonArray after = runCli({"inspect", out}).json["modules"].toArray();
        QCOMPARE(after.size(), before.size());
        for (int i = 0; i < before.size(); ++i) {
            const double x = before[i]["delta_norm"].toDouble();
            QVERIFY(std::abs(after[i]["delta_norm"].toDouble() - x) < 1e-6 * x);
        }
    }

    void linearReportsItsGap() {
        const QString out = m_dir.filePath("linear.safetensors");
        const lora::test::CliRun run =
            runCli({"combine", m_a,
                    write("c.safetensors", lora::test::kohyaSdxlFile(23, {4, 4, 2}, {1, 1, 1})),
                    "--out", out, "--method", "linear"});
        QCOMPARE(run.exitCode, 0);
        for (const auto m : run.json["modules"].toArray())
            QVERIFY(m.toObject()["linear_gap"].toDouble() > 1e-3); // the cross terms
    }

    void refusals_data() {
        QTest::addColumn<QStringList>("args"); // A, B, D stand for the files, OUT the output
        QTest::addColumn<QString>("line");
        QTest::newRow("other modules")
            << QStringList{"A", "D"}
            << "lora-cli: D: has no module lora_unet_input_blocks_4_0_in_layers_2, which A holds";
        QTest::newRow("linear over unequal ranks")
            << QStringList{"A", "B", "--method", "linear"}
            << "lora-cli: B: module lora_unet_input_blocks_4_0_in_layers_2 has rank 2 but 4 in A; "
               "linear needs equal ranks";
        QTest::newRow("one input")
            << QStringList{"A"} << "lora-cli: combining needs at least two LoRA files";
        QTest::newRow("weights") << QStringList{"A", "B", "--weights", "1"}
                                 << "lora-cli: 1 weights for 2 inputs";
        QTest::newRow("rank without svd")
            << QStringList{"A", "B", "--rank", "2"}
            << "lora-cli: --rank is the svd method's new rank; cat and linear set their own";
        QTest::newRow("unknown method") << QStringList{"A", "B", "--method", "ties"}
                                        << "lora-cli: unknown combination 'ties' (use linear, cat "
                                           "or svd)";
    }
    void refusals() {
        QFETCH(QStringList, args);
        QFETCH(QString, line);
        const QString out = m_dir.filePath(QString("refused-") + QTest::currentDataTag());
        for (QString& a : args) a = a == "A" ? m_a : a == "B" ? m_b : a == "D" ? m_diffusers : a;
        const lora::test::CliRun run =
            runCli(QStringList{"combine"} + args + QStringList{"--out", out});
        QCOMPARE(run.exitCode, 2);
        line.replace(" A:", " " + m_a + ":").replace(" A ", " " + m_a + " ");
        line.replace(" B:", " " + m_b + ":").replace(" D:", " " + m_diffusers + ":");
        line.replace(" in A;", " in " + m_a + ";");
        QCOMPARE(run.stdErr.trimmed(), line);
        QVERIFY(!QFileInfo::exists(out));
    }

    void foreignFolderIsNotReplaced() {
        const QString out = m_dir.filePath("notes");
        QDir().mkpath(out);
        QFile keep(out + "/todo.txt");
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("not an adapter");
        keep.close();
        const lora::test::CliRun run = runCli({"combine", m_a, m_b, "--to", "peft", "--out", out});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed(),
                 "lora-cli: --out: cannot write " + out +
                     ": it is a folder LoRA Explorer did not write (no adapter_config.json); "
                     "choose a new or empty folder");
        QCOMPARE(QDir(out).entryList(QDir::Files), QStringList{"todo.txt"});
    }

    void outputIsNotAnInput() {
        const lora::test::CliRun run = runCli({"combine", m_a, m_b, "--out", m_b});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.stdErr.contains("--out"));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliCombine)
#include "tst_cli_combine.moc"
