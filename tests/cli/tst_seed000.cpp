// Seed 000 end to end through lora-cli on the embedded digits: a 784-64-2 base on 3-vs-4,
// then a rank-4 LoRA for 7-vs-8 with 7.26 % of the parameters, frozen weights untouched.
#include "cli_runner.h"

#include <QTemporaryDir>

using lora::test::runCli;

class TestSeed000 : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString base() const { return m_dir.filePath("base.safetensors"); }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        const auto run = runCli({"train", "--arch", "784-64-2", "--classes", "3,4", "--epochs", "1",
                                 "--lr", "0.01", "--batch", "64", "--seed", "0", "--out", base()});
        QCOMPARE(run.exitCode, 0);
        qInfo("base: accuracy %.2f%%, %.0f samples/s", run.json["accuracy"].toDouble(),
              run.json["samples_per_s"].toDouble());
        QVERIFY2(run.json["accuracy"].toDouble() >= 98.5, qPrintable(run.stdErr));
        QCOMPARE(run.json["total_params"].toInt(), 50370);
        QVERIFY(QFile::exists(base()));
    }

    void loraTransfersTo78() {
        const QString adapter = m_dir.filePath("adapter78");
        const auto run = runCli({"finetune", "--base",  base(), "--classes", "7,8",     "--rank",
                                 "4",        "--alpha", "1",    "--targets", "fc1,fc2", "--epochs",
                                 "5",        "--lr",    "0.01", "--batch",   "64",      "--seed",
                                 "0",        "--out",   adapter});
        QCOMPARE(run.exitCode, 0);
        qInfo("lora 7-vs-8: accuracy %.2f%% (before %.2f%%), %.0f samples/s",
              run.json["accuracy"].toDouble(), run.json["accuracy_before"].toDouble(),
              run.json["samples_per_s"].toDouble());
        QVERIFY(run.json["accuracy"].toDouble() >= 97.5);
        QCOMPARE(run.json["trainable_params"].toInt(), 3656);
        QCOMPARE(run.json["total_params"].toInt(), 50370);
        QCOMPARE(QString::number(run.json["trainable_percent"].toDouble(), 'f', 2),
                 QString("7.26"));
        QVERIFY(run.json["base_unchanged"].toBool());
        QCOMPARE(run.json["epochs"].toArray().size(), 5);

        // The saved adapter reproduces the accuracy; merged logits match unmerged ones.
        const auto eval = runCli(
            {"eval", "--base", base(), "--adapter", adapter, "--classes", "7,8", "--merged"});
        QCOMPARE(eval.exitCode, 0);
        QCOMPARE(eval.json["accuracy"].toDouble(), run.json["accuracy"].toDouble());
        QVERIFY(eval.json["merge_max_abs_diff"].toDouble() < 1e-3);
        const auto off = runCli(
            {"eval", "--base", base(), "--adapter", adapter, "--classes", "7,8", "--no-lora"});
        QCOMPARE(off.exitCode, 0);
        QCOMPARE(off.json["accuracy"].toDouble(), run.json["accuracy_before"].toDouble());
    }

    void rankSweepParameterCounts_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<int>("trainable");
        QTest::newRow("r2") << 2 << 1828;
        QTest::newRow("r4") << 4 << 3656;
        QTest::newRow("r8") << 8 << 7312;
        QTest::newRow("r16") << 16 << 14624;
    }
    void rankSweepParameterCounts() {
        QFETCH(int, rank);
        QFETCH(int, trainable);
        const auto run =
            runCli({"finetune", "--base", base(), "--classes", "7,8", "--rank",
                    QString::number(rank), "--alpha", "1", "--epochs", "1", "--max-steps", "20"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["trainable_params"].toInt(), trainable);
        QVERIFY(run.json["base_unchanged"].toBool());
    }

    void fullFineTuneChangesTheBase() {
        const QString out = m_dir.filePath("full78.safetensors");
        const auto run = runCli({"finetune", "--base", base(), "--classes", "7,8", "--full",
                                 "--epochs", "1", "--out", out});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["trainable_params"].toInt(), 50370);
        QVERIFY(!run.json["base_unchanged"].toBool());
        QVERIFY(run.json["accuracy"].toDouble() >= 97.5);
        QVERIFY(QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestSeed000)
#include "tst_seed000.moc"
