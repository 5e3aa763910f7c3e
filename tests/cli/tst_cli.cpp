// lora-cli's contract: one JSON object as the last stdout line, exit code 2 with a one-line
// message on bad input, and no output file left behind by a failed command.
#include "cli_runner.h"

#include <QFile>
#include <QTemporaryDir>

using lora::test::runCli;

class TestCli : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base;
    QString m_adapter; // r4 α1 on 7,8

    // Exit code 2, the one-line message, and no output file left behind.
    void expectRefusal(QStringList args, const QString& message) {
        const QString out = m_dir.filePath("never-written");
        if (args.first() == "train" || args.first() == "finetune") {
            args.insert(1, "--out"); // right after the command, so a trailing flag stays last
            args.insert(2, out);
        }
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed().split('\n').last(), "lora-cli: " + message);
        QVERIFY(!QFile::exists(out));
    }

private slots:
    void initTestCase() {
        m_base = m_dir.filePath("small.safetensors");
        const auto run = runCli(
            {"train", "--arch", "784-8-2", "--classes", "3,4", "--epochs", "1", "--out", m_base});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.json.contains("accuracy"));
        QVERIFY(run.json.contains("samples_per_s"));
        QVERIFY(run.json["accuracy"].toDouble() > 90.0);
        QVERIFY(run.stdErr.contains("base epoch 1"));
        m_adapter = m_dir.filePath("view-ad");
        const auto tune =
            runCli({"finetune", "--base", m_base, "--classes", "7,8", "--rank", "4", "--alpha", "1",
                    "--targets", "fc1", "--max-steps", "40", "--out", m_adapter});
        QCOMPARE(tune.exitCode, 0);
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString base = m_dir.filePath("small.safetensors");
        QTest::newRow("unknown command")
            << QStringList{"fly"} << "unknown command 'fly' (try lora-cli help)";
        QTest::newRow("unknown flag")
            << QStringList{"train", "--color", "red"} << "unknown option '--color'";
        QTest::newRow("missing value")
            << QStringList{"train", "--epochs"} << "--epochs needs a value";
        QTest::newRow("arch") << QStringList{"train", "--arch", "784--2"}
                              << "architecture '784--2' has an empty layer width";
        QTest::newRow("arch zero") << QStringList{"train", "--arch", "0-10"}
                                   << "architecture '0-10': every width must be at least 1";
        QTest::newRow("arch trailing dash") << QStringList{"train", "--arch", "784-64-2-"}
                                            << "architecture '784-64-2-' has an empty layer width";
        QTest::newRow("arch huge")
            << QStringList{"train", "--arch", "784-99999999-2"}
            << "architecture '784-99999999-2': width 99999999 exceeds the limit of 65536";
        QTest::newRow("epochs text")
            << QStringList{"train", "--epochs", "many"} << "--epochs: 'many' is not a whole number";
        QTest::newRow("lr negative")
            << QStringList{"train", "--lr", "-3"} << "learning rate must be a positive number";
        QTest::newRow("class not a digit")
            << QStringList{"train", "--classes", "7,x"} << "class 'x' is not a digit";
        QTest::newRow("data folder missing")
            << QStringList{"train", "--classes", "3,4", "--data", "/nonexistent/mnist"}
            << "data folder /nonexistent/mnist does not exist";
        QTest::newRow("outputs vs classes")
            << QStringList{"train", "--arch", "784-64-2", "--classes", "all"}
            << "architecture 784-64-2 has 2 outputs but 10 classes were chosen";
        QTest::newRow("inputs") << QStringList{"train", "--arch", "100-2", "--classes", "3,4"}
                                << "architecture 100-2 takes 100 inputs but images have 784 pixels";
        QTest::newRow("epochs 0") << QStringList{"train", "--epochs", "0"}
                                  << "--epochs must be between 1 and 100000 (got 0)";
        QTest::newRow("batch 0") << QStringList{"train", "--batch", "0"}
                                 << "--batch must be between 1 and 1048576 (got 0)";
        QTest::newRow("lr text") << QStringList{"train", "--lr", "fast"}
                                 << "--lr: 'fast' is not a number";
        QTest::newRow("lr 0") << QStringList{"train", "--lr", "0"}
                              << "learning rate must be a positive number";
        QTest::newRow("class 12") << QStringList{"train", "--classes", "3,12"}
                                  << "class 12 does not exist (digits are 0-9)";
        QTest::newRow("class twice")
            << QStringList{"train", "--classes", "3,3"} << "class 3 is listed twice";
        QTest::newRow("rank 0") << QStringList{"finetune", "--base", base, "--classes",
                                               "7,8",      "--rank", "0"}
                                << "--rank must be between 1 and 4096 (got 0)";
        QTest::newRow("rank negative")
            << QStringList{"finetune", "--base", base, "--classes", "7,8", "--rank", "-1"}
            << "--rank must be between 1 and 4096 (got -1)";
        QTest::newRow("alpha negative")
            << QStringList{"finetune", "--base", base, "--classes", "7,8", "--alpha", "-1"}
            << "--alpha must be greater than 0";
        QTest::newRow("rank text")
            << QStringList{"finetune", "--base", base, "--classes", "7,8", "--rank", "four"}
            << "--rank: 'four' is not a whole number";
        QTest::newRow("alpha 0") << QStringList{"finetune", "--base",  base, "--classes",
                                                "7,8",      "--alpha", "0"}
                                 << "--alpha must be greater than 0";
        QTest::newRow("target")
            << QStringList{"finetune", "--base", base, "--classes", "7,8", "--targets", "fc3"}
            << "target layer 'fc3' does not exist in 784-8-2 (layers are fc1-fc2)";
        QTest::newRow("init") << QStringList{"finetune", "--base", base,    "--classes",
                                             "7,8",      "--init", "xavier"}
                              << "unknown LoRA init 'xavier' (use kaiming, gaussian or pissa)";
        QTest::newRow("class count")
            << QStringList{"finetune", "--base", base, "--classes", "1,2,3"}
            << "the base has 2 outputs but 3 classes were chosen";
        QTest::newRow("train digit")
            << QStringList{"finetune", "--base", base, "--classes", "7,8", "--train-digits", "9"}
            << "--train-digits: digit 9 is not among the classes 7,8";
        QTest::newRow("no base") << QStringList{"finetune", "--classes", "7,8"}
                                 << "--base is required";
        QTest::newRow("merged alone")
            << QStringList{"eval", "--base", base, "--merged"} << "--merged needs --adapter";
    }
    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        expectRefusal(args, message);
    }

    // eval --alpha / --rank outside what the adapter allows.
    void badView_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString base = m_dir.filePath("small.safetensors");
        const QString ad = m_dir.filePath("view-ad");
        QTest::newRow("eval alpha alone")
            << QStringList{"eval", "--base", base, "--alpha", "4"} << "--alpha needs --adapter";
        QTest::newRow("eval rank alone")
            << QStringList{"eval", "--base", base, "--rank", "2"} << "--rank needs --adapter";
        QTest::newRow("eval rank 0")
            << QStringList{"eval", "--base", base, "--adapter", ad, "--rank", "0"}
            << "--rank must be between 1 and 4096 (got 0)";
        QTest::newRow("eval rank above the adapter's")
            << QStringList{"eval", "--base", base, "--adapter", ad, "--rank", "5"}
            << "the truncation rank 5 is above the adapter's rank 4";
        QTest::newRow("eval alpha 0")
            << QStringList{"eval", "--base", base, "--adapter", ad, "--alpha", "0"}
            << "alpha must be a positive number";
        QTest::newRow("eval alpha negative")
            << QStringList{"eval", "--base", base, "--adapter", ad, "--alpha", "-2"}
            << "alpha must be a positive number";
        QTest::newRow("eval alpha inf")
            << QStringList{"eval", "--base", base, "--adapter", ad, "--alpha", "inf"}
            << "--alpha: 'inf' is not a number";
        QTest::newRow("eval alpha nan")
            << QStringList{"eval", "--base", base, "--adapter", ad, "--alpha", "nan"}
            << "--alpha: 'nan' is not a number";
    }
    void badView() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        expectRefusal(args, message);
    }

    void missingBaseFileIsNamed() {
        const auto run = runCli({"eval", "--base", m_dir.filePath("nope.safetensors")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.stdErr.contains("nope.safetensors"));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0); // one line
    }

    void evalWritesLogitsCsv() {
        const QString csv = m_dir.filePath("logits.csv");
        const auto run = runCli({"eval", "--base", m_base, "--logits", csv});
        QCOMPARE(run.exitCode, 0);
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = file.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), run.json["total"].toInt());
        QCOMPARE(rows.first().split(',').size(), 3); // label + 2 logits
        const auto confusion = run.json["confusion"].toArray();
        QCOMPARE(confusion.size(), 2);
        QCOMPARE(run.json["per_class_errors"].toObject().keys(), QStringList({"3", "4"}));
    }

    void lastLineIsJsonForEveryCommand() {
        const QString adapter = m_dir.filePath("ad");
        const auto tune = runCli({"finetune", "--base", m_base, "--classes", "7,8", "--epochs", "1",
                                  "--max-steps", "5", "--out", adapter});
        QCOMPARE(tune.exitCode, 0);
        QVERIFY(QFile::exists(adapter + "/adapter_model.safetensors"));
        QVERIFY(QFile::exists(adapter + "/adapter_config.json"));
        QCOMPARE(tune.json["steps"].toInt(), 5);
        const auto eval =
            runCli({"eval", "--base", m_base, "--adapter", adapter, "--classes", "7,8"});
        QCOMPARE(eval.exitCode, 0);
        QVERIFY(eval.json["lora"].toBool());
    }

    // --alpha and --rank at the trained values score the adapter as it is; other values
    // change the scores, and the result names the view.
    void evalAtAView_data() {
        QTest::addColumn<QStringList>("view");
        QTest::addColumn<bool>("same");
        QTest::addRow("trained alpha") << QStringList{"--alpha", "1"} << true;
        QTest::addRow("trained rank") << QStringList{"--rank", "4"} << true;
        QTest::addRow("both trained") << QStringList{"--alpha", "1", "--rank", "4"} << true;
        QTest::addRow("alpha 64") << QStringList{"--alpha", "64"} << false;
        QTest::addRow("alpha 0.25") << QStringList{"--alpha", "0.25"} << false;
        QTest::addRow("rank 1") << QStringList{"--rank", "1"} << false;
        QTest::addRow("rank 2 alpha 16") << QStringList{"--rank", "2", "--alpha", "16"} << false;
    }
    void evalAtAView() {
        QFETCH(QStringList, view);
        QFETCH(bool, same);
        const QStringList plainArgs{"eval",    "--base",    m_base, "--adapter",
                                    m_adapter, "--classes", "7,8"};
        const auto plain = runCli(plainArgs);
        const auto seen = runCli(plainArgs + view);
        QVERIFY2(seen.exitCode == 0, qPrintable(seen.stdErr));
        QCOMPARE(seen.json["loss"].toDouble() == plain.json["loss"].toDouble(), same);
        if (same) QCOMPARE(seen.json["accuracy"].toDouble(), plain.json["accuracy"].toDouble());
        const int at = view.indexOf("--alpha");
        if (at >= 0) QCOMPARE(seen.json["view_alpha"].toDouble(), view[at + 1].toDouble());
        QCOMPARE(seen.json.contains("view_rank"), view.contains("--rank"));
        QVERIFY(!plain.json.contains("view_alpha"));
    }

    void rankAboveLayerWidthWarns() {
        const auto run = runCli(
            {"finetune", "--base", m_base, "--classes", "7,8", "--rank", "4", "--max-steps", "1"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.stdErr.contains("warning: rank 4 exceeds min(in, out) = 2 of fc2"));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
