// lora-cli forgetting end to end on the embedded digits: the JSON carries the final
// figures and the per-epoch series, LoRA-off equals the base on the old task, full
// fine-tuning falls by at least 10 points there; bad requests exit with 2 and one line.
#include "cli_runner.h"

#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

class TestCliForgetting : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base;

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_base = m_dir.filePath("base.safetensors");
        const auto run = runCli(
            {"train", "--arch", "784-64-2", "--classes", "3,4", "--seed", "0", "--out", m_base});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
    }

    void seriesAndFinalFigures() {
        const auto run = runCli({"forgetting", "--base", m_base, "--classes", "7,8", "--rank", "4",
                                 "--alpha", "1", "--epochs", "2", "--seed", "0"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        const QJsonObject& j = run.json;
        for (const char* key : {"base_old_accuracy", "full_old_accuracy", "full_new_accuracy",
                                "lora_off_old_accuracy", "lora_new_accuracy"})
            QVERIFY2(j[key].isDouble(), key);
        QCOMPARE(j["old_classes"].toArray(), (QJsonArray{3, 4}));
        QCOMPARE(j["lora_off_old_accuracy"].toDouble(), j["base_old_accuracy"].toDouble());
        QVERIFY(j["full_old_accuracy"].toDouble() <= j["base_old_accuracy"].toDouble() - 10);
        QVERIFY(j["lora_new_accuracy"].toDouble() > 90);
        const QJsonArray series = j["series"].toArray();
        QCOMPARE(series.size(), 3); // epoch 0 (the base), 1, 2
        QCOMPARE(series.last().toObject()["full_old"].toDouble(),
                 j["full_old_accuracy"].toDouble());
        QCOMPARE(run.stdErr.count("LoRA epoch"), 2);
    }

    void badRequests_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("same task")
            << QStringList{"--classes", "3,4"}
            << "--classes equals the old task (3,4); choose different digits";
        QTest::newRow("three digits") << QStringList{"--classes", "7,8,9"}
                                      << "--classes has 3 digits but the base has 2 outputs";
        QTest::newRow("old classes") << QStringList{"--classes", "7,8", "--old-classes", "1"}
                                     << "--old-classes has 1 digits but the base has 2 outputs";
        QTest::newRow("rank") << QStringList{"--classes", "7,8", "--rank", "0"} << "--rank";
        QTest::newRow("lr") << QStringList{"--classes", "7,8", "--lr", "-1"}
                            << "learning rate must be a positive number";
        QTest::newRow("no classes") << QStringList{} << "--classes";
    }
    void badRequests() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto run = runCli(QStringList{"forgetting", "--base", m_base} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(message), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliForgetting)
#include "tst_cli_forgetting.moc"
