// lora-cli variants and scaling end to end: one run per variant with its curve and figures,
// one row per rank with both scaling rules; bad requests exit with 2 and one line.
#include "cli_runner.h"

#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

class TestCliVariants : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base;

private slots:
    void initTestCase() {
        m_base = m_dir.filePath("base.safetensors");
        const auto run = runCli({"train", "--classes", "3,4", "--out", m_base});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
    }

    void variants() {
        const auto run =
            runCli({"variants", "--base", m_base, "--classes", "7,8", "--rank", "2", "--alpha", "4",
                    "--variants", "kaiming,pissa,gaussian+rslora", "--max-steps", "15"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        const QJsonArray runs = run.json["runs"].toArray();
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs[1].toObject()["init"].toString(), QString("pissa"));
        QCOMPARE(float(runs[2].toObject()["scale"].toDouble()), 4 / std::sqrt(2.0f));
        for (const auto& r : runs) {
            QCOMPARE(r.toObject()["steps"].toInt(), 15);
            QCOMPARE(r.toObject()["loss_curve"].toArray().size(), 15);
            QVERIFY(r.toObject()["delta_norm"].toDouble() > 0);
        }
    }

    void scaling() {
        const auto run = runCli({"scaling", "--base", m_base, "--classes", "7,8", "--ranks",
                                 "1,4,16", "--alpha", "8", "--max-steps", "10"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        const QJsonArray rows = run.json["rows"].toArray();
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows[2].toObject()["scale"].toDouble(), 0.5);
        QCOMPARE(rows[2].toObject()["scale_rslora"].toDouble(), 2.0);
        QCOMPARE(rows[0].toObject()["delta_norm"].toDouble(),
                 rows[0].toObject()["delta_norm_rslora"].toDouble());
    }

    void badRequests_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("variant") << QStringList{"variants", "--variants", "lora"}
                                 << "unknown LoRA init 'lora'";
        QTest::newRow("suffix") << QStringList{"variants", "--variants", "kaiming+dora"}
                                << "unknown variant 'kaiming+dora'";
        QTest::newRow("pissa rank") << QStringList{"variants", "--variants", "pissa", "--rank", "8"}
                                    << "PiSSA needs a rank of at most min(in, out) = 2 for fc2";
        QTest::newRow("ranks") << QStringList{"scaling", "--ranks", "1,x"}
                               << "--ranks: 'x' is not a whole number 1…4096";
        QTest::newRow("alpha") << QStringList{"scaling", "--alpha", "0"}
                               << "alpha must be a positive number";
    }
    void badRequests() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        args << "--base" << m_base << "--classes"
             << "7,8";
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(message), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliVariants)
#include "tst_cli_variants.moc"
