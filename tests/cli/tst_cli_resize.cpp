// lora-cli resize through the real binary: the JSON contract (per module rank, new_rank,
// fro_retained; bytes_before / bytes_after), a resized PEFT folder that lora-cli inspect reads
// back at the new rank with its scale, and the refusals — one line, exit 2, nothing written.
#include "io/safetensors.h"

#include "cli_runner.h"
#include "lora_test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <fstream>

using lora::test::runCli;

class TestCliResize : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_kohya, m_peft;

private slots:
    void initTestCase() {
        m_kohya = m_dir.filePath("kohya.safetensors");
        lora::writeSafetensors(m_kohya.toStdString(), lora::test::kohyaFile().tensors);
        const lora::test::TestLoraFile f = lora::test::peftFile();
        m_peft = m_dir.filePath("peft");
        QDir().mkpath(m_peft);
        lora::writeSafetensors((m_peft + "/adapter_model.safetensors").toStdString(), f.tensors);
        std::ofstream((m_peft + "/adapter_config.json").toStdString()) << f.config;
    }

    void kohyaContract() {
        const QString out = m_dir.filePath("kohya-r1.safetensors");
        const lora::test::CliRun run = runCli({"resize", m_kohya, "--out", out, "--rank", "1"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["format"].toString(), QString("kohya"));
        const QJsonArray modules = run.json["modules"].toArray();
        QCOMPARE(modules.size(), 3);
        for (const auto v : modules) {
            const QJsonObject m = v.toObject();
            QCOMPARE(m["new_rank"].toInt(), 1);
            QVERIFY(m["rank"].toInt() > 1);
            QVERIFY(m["fro_retained"].toDouble() > 0 && m["fro_retained"].toDouble() < 1);
            QVERIFY(m["resized"].toBool());
        }
        QCOMPARE(run.json["bytes_before"].toInteger(), QFileInfo(m_kohya).size());
        QCOMPARE(run.json["bytes_after"].toInteger(), QFileInfo(out).size());
        QVERIFY(QFileInfo(out).size() < QFileInfo(m_kohya).size());
        const lora::test::CliRun check = runCli({"inspect", out});
        QCOMPARE(check.exitCode, 0);
        QCOMPARE(check.json["metadata"]["ss_network_dim"].toString(), QString("1"));
        QCOMPARE(check.json["modules"][0]["rank"].toInt(), 1);
        QCOMPARE(check.json["modules"][0]["scale"].toDouble(), 0.5); // kept
    }

    void peftFolderDynamic() {
        const QString out = m_dir.filePath("peft-fro");
        const lora::test::CliRun run = runCli(
            {"resize", "--path", m_peft, "--out", out, "--sv-fro", "0.9", "--max-rank", "3"});
        QCOMPARE(run.exitCode, 0);
        for (const auto v : run.json["modules"].toArray()) {
            const QJsonObject m = v.toObject();
            QVERIFY(m["new_rank"].toInt() <= 3);
            QVERIFY(m["fro_retained"].toDouble() >= 0.9 || m["new_rank"].toInt() == 3);
        }
        const lora::test::CliRun check = runCli({"inspect", out});
        QCOMPARE(check.exitCode, 0);
        const QJsonArray before = runCli({"inspect", m_peft}).json["modules"].toArray();
        const QJsonArray after = check.json["modules"].toArray();
        for (int i = 0; i < after.size(); ++i)
            QCOMPARE(after[i]["scale"].toDouble(), before[i]["scale"].toDouble());
    }

    void refusals_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("says");
        QTest::newRow("two rules")
            << QStringList{"--rank", "2", "--sv-fro", "0.9"} << "exactly one of --rank";
        QTest::newRow("no rule") << QStringList{} << "exactly one of --rank";
        QTest::newRow("sv-fro above 1") << QStringList{"--sv-fro", "1.5"} << "(0, 1]";
        QTest::newRow("sv-ratio below 1") << QStringList{"--sv-ratio", "0.5"} << "at least 1";
        QTest::newRow("max-rank with rank")
            << QStringList{"--rank", "2", "--max-rank", "1"} << "caps the dynamic methods";
        QTest::newRow("bad dtype") << QStringList{"--rank", "2", "--dtype", "f8"} << "--dtype";
    }
    void refusals() {
        QFETCH(QStringList, args);
        QFETCH(QString, says);
        const QString out = m_dir.filePath("refused.safetensors");
        const lora::test::CliRun run = runCli(QStringList{"resize", m_kohya, "--out", out} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(says), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(!QFileInfo::exists(out));
    }

    void outputIsNotTheInput() {
        const QByteArray before = [&] {
            QFile f(m_kohya);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        }();
        const lora::test::CliRun run = runCli({"resize", m_kohya, "--out", m_kohya, "--rank", "1"});
        QCOMPARE(run.exitCode, 2);
        QFile f(m_kohya);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), before);
    }
};

QTEST_GUILESS_MAIN(TestCliResize)
#include "tst_cli_resize.moc"
