// lora-cli train/finetune --settings FILE: the GUI's settings (a session.json, or its
// "settings" object alone) give the defaults; flags typed out win; a broken file is refused
// with exit 2 and one line naming the file and the key.
#include "cli_runner.h"

#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <cmath>

using lora::test::runCli;

namespace {

// Seed 000's settings with a small network, a rank-2 α-3 adapter and five steps.
const char* kSettings = R"({"preset":"Transfer","architecture":"784-8-2",)"
                        R"("base_classes":[3,4],"target_classes":[7,8],"train_digits":[],)"
                        R"("rank":2,"alpha":3,"use_rslora":true,"target_modules":["fc1"],)"
                        R"("learning_rate":0.02,"base_epochs":1,"fine_tune_epochs":1,)"
                        R"("max_steps":5,"batch_size":32,"seed":"3"})";

void write(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

} // namespace

class TestCliSettings : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base, m_session, m_settings;

private slots:
    void initTestCase() {
        m_settings = m_dir.filePath("settings.json");
        write(m_settings, kSettings);
        m_session = m_dir.filePath("session.json");
        write(m_session,
              QByteArray(R"({"format":"lora-explorer-session","version":1,"settings":)") +
                  kSettings + "}");
        m_base = m_dir.filePath("base.safetensors");
        const auto run = runCli({"train", "--settings", m_session, "--out", m_base});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["arch"].toString(), QStringLiteral("784-8-2"));
        QCOMPARE(run.json["classes"].toArray(), (QJsonArray{3, 4}));
        // 12,000-odd 3s and 4s in batches of 32: one epoch.
        QCOMPARE(run.json["epochs"].toArray().size(), 1);
    }

    void finetuneTakesTheLoraSettings() {
        const auto run = runCli({"finetune", "--base", m_base, "--settings", m_settings});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["classes"].toArray(), (QJsonArray{7, 8}));
        QCOMPARE(run.json["rank"].toInt(), 2);
        QCOMPARE(run.json["alpha"].toDouble(), 3.0);
        // rsLoRA's α/√r, computed in float
        QVERIFY(std::abs(run.json["scale"].toDouble() - 3.0 / std::sqrt(2.0)) < 1e-6);
        QCOMPARE(run.json["trainable_params"].toInt(), 2 * (784 + 8)); // fc1 only
        QCOMPARE(run.json["steps"].toInt(), 5);
    }

    void flagsGivenWin() {
        const auto run = runCli({"finetune", "--base", m_base, "--settings", m_settings, "--rank",
                                 "4", "--targets", "fc1,fc2", "--max-steps", "3"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["rank"].toInt(), 4);
        QCOMPARE(run.json["trainable_params"].toInt(), 4 * (784 + 8) + 4 * (8 + 2));
        QCOMPARE(run.json["steps"].toInt(), 3);
    }

    void brokenSettingsAreRefused_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("rank") << QByteArray(kSettings).replace(R"("rank":2)", R"("rank":0)")
                              << "settings.rank must be a whole number ≥ 1, not 0";
        QTest::newRow("not json") << QByteArray("{") << "is not valid JSON";
        QTest::newRow("array") << QByteArray("[1]") << "must be a JSON object";
    }
    void brokenSettingsAreRefused() {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        const QString path = m_dir.filePath("broken.json");
        write(path, text);
        const QString out = m_dir.filePath("never");
        const auto run = runCli({"finetune", "--base", m_base, "--settings", path, "--out", out});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(path) && run.stdErr.contains(message), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(!QFile::exists(out));
    }

    void onlyTrainingCommandsTakeIt() {
        const auto run = runCli({"eval", "--base", m_base, "--settings", m_settings});
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.stdErr.contains("--settings"));
    }
};

QTEST_GUILESS_MAIN(TestCliSettings)
#include "tst_cli_settings.moc"
