// Seed 001 end to end: RichBoyNet 784-1000-2000-10 on all digits for one epoch, then
// rank-1 adapters on fc1-fc3 trained only on 9s for 100 batches of 10 (the embedded set
// holds 782 training 9s, so the 100 batches span a second pass).
#include "cli_runner.h"

#include <QTemporaryDir>

using lora::test::runCli;

class TestSeed001 : public QObject {
    Q_OBJECT
private slots:
    void fixTheWeakestDigit() {
        QTemporaryDir dir;
        const QString base = dir.filePath("richboy.safetensors");
        const auto train =
            runCli({"train", "--arch", "784-1000-2000-10", "--classes", "all", "--epochs", "1",
                    "--lr", "0.001", "--batch", "10", "--seed", "0", "--out", base});
        QCOMPARE(train.exitCode, 0);
        QCOMPARE(train.json["total_params"].toInt(), 2807010);
        qInfo("RichBoyNet: accuracy %.2f%%, %.0f samples/s", train.json["accuracy"].toDouble(),
              train.json["samples_per_s"].toDouble());
        QVERIFY(train.json["accuracy"].toDouble() > 85.0);

        const auto tune =
            runCli({"finetune",    "--base",      base,  "--classes", "all",   "--train-digits",
                    "9",           "--rank",      "1",   "--alpha",   "1",     "--targets",
                    "fc1,fc2,fc3", "--epochs",    "2",   "--lr",      "0.001", "--batch",
                    "10",          "--max-steps", "100", "--seed",    "0"});
        QCOMPARE(tune.exitCode, 0);
        const int before = tune.json["wrong_before"].toInt(),
                  after = tune.json["wrong_after"].toInt();
        qInfo("wrong 9s: %d -> %d; accuracy %.2f%% -> %.2f%%; %.0f samples/s", before, after,
              tune.json["accuracy_before"].toDouble(), tune.json["accuracy"].toDouble(),
              tune.json["samples_per_s"].toDouble());
        QCOMPARE(tune.json["trainable_params"].toInt(), 6794);
        QCOMPARE(QString::number(tune.json["trainable_percent"].toDouble(), 'f', 3),
                 QString("0.242"));
        QCOMPARE(tune.json["steps"].toInt(), 100);
        QVERIFY(tune.json["base_unchanged"].toBool());
        QVERIFY(before > 0);
        QVERIFY2(after * 2 <= before, qPrintable(QString("%1 -> %2").arg(before).arg(after)));
    }
};

QTEST_GUILESS_MAIN(TestSeed001)
#include "tst_seed001.moc"
