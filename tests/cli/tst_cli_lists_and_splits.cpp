// Two strictness rules of lora-cli. List flags mean the same in every command: an empty value
// is refused with the same words ("give at least one value"), never read as "every layer";
// `--targets all` is how to ask for every layer. And a test split holding none of the chosen
// classes is refused in one line before any training, instead of reporting "accuracy 0.00 %".
#include "cli_runner.h"
#include "data/idx.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

namespace {

void writeBytes(const QString& path, const std::vector<std::uint8_t>& bytes) {
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(reinterpret_cast<const char*>(bytes.data()), qint64(bytes.size()));
}

// An MNIST folder of a few blank-ish 28×28 images: train holds `train` digits, test `test`.
void writeMnist(const QString& dir, const std::vector<std::uint8_t>& train,
                const std::vector<std::uint8_t>& test) {
    QDir().mkpath(dir);
    auto split = [&](const QString& prefix, const std::vector<std::uint8_t>& labels) {
        lora::RawImages raw;
        raw.count = int(labels.size());
        raw.rows = raw.cols = 28;
        raw.pixels.resize(labels.size() * 28 * 28);
        for (std::size_t i = 0; i < raw.pixels.size(); ++i) raw.pixels[i] = std::uint8_t(i * 7);
        raw.labels = labels;
        writeBytes(dir + "/" + prefix + "-images-idx3-ubyte", lora::writeIdxImages(raw));
        writeBytes(dir + "/" + prefix + "-labels-idx1-ubyte", lora::writeIdxLabels(labels));
    };
    split("train", train);
    split("t10k", test);
}

} // namespace

class TestCliListsAndSplits : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base;

private slots:
    void initTestCase() {
        m_base = m_dir.filePath("base.safetensors");
        const auto run = runCli({"train", "--arch", "784-8-4-2", "--classes", "3,4", "--epochs",
                                 "1", "--max-steps", "2", "--out", m_base});
        QCOMPARE(run.exitCode, 0);
    }

    void emptyListsAreRefusedAlike_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        const QString base = m_dir.filePath("base.safetensors");
        const QStringList tune{"--base", base, "--classes", "7,8", "--max-steps", "1"};
        QTest::newRow("finetune --targets") << QStringList{"finetune", "--targets", ""} + tune
                                            << "--targets: give at least one value";
        QTest::newRow("finetune --targets blank")
            << QStringList{"finetune", "--targets", " "} + tune
            << "--targets: give at least one value";
        QTest::newRow("params --targets")
            << QStringList{"params", "--arch", "784-8-2", "--targets", ""}
            << "--targets: give at least one value";
        QTest::newRow("variants --targets") << QStringList{"variants", "--targets", ""} + tune
                                            << "--targets: give at least one value";
        QTest::newRow("scaling --targets") << QStringList{"scaling", "--targets", ""} + tune
                                           << "--targets: give at least one value";
        QTest::newRow("scaling --ranks")
            << QStringList{"scaling", "--ranks", ""} + tune << "--ranks: give at least one value";
        QTest::newRow("variants --variants") << QStringList{"variants", "--variants", ""} + tune
                                             << "--variants: give at least one value";
        // A repeated layer is refused by every command, params included (it counted fc1 once).
        QTest::newRow("params --targets repeated")
            << QStringList{"params", "--arch", "784-8-2", "--targets", "fc1,fc1"}
            << "target layer 'fc1' is listed twice";
        QTest::newRow("finetune --targets repeated")
            << QStringList{"finetune", "--targets", "fc1,fc1"} + tune
            << "target layer 'fc1' is listed twice";
    }
    void emptyListsAreRefusedAlike() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed(), "lora-cli: " + message);
    }

    // "all" is every layer wherever --targets is taken, whatever the command's default.
    void targetsAllIsEveryLayer() {
        const auto params = runCli({"params", "--arch", "784-8-4-2", "--targets", "all"});
        QCOMPARE(params.exitCode, 0);
        for (const QJsonValue& layer : params.json["layers"].toArray())
            QVERIFY(layer.toObject()["target"].toBool());
        const auto one = runCli({"params", "--arch", "784-8-4-2", "--targets", "fc2"});
        QVERIFY(one.json["trainable_params"].toInt() < params.json["trainable_params"].toInt());

        const auto tune = runCli({"finetune", "--base", m_base, "--classes", "7,8", "--targets",
                                  "all", "--max-steps", "1"});
        QCOMPARE(tune.exitCode, 0);
        QCOMPARE(tune.json["targets"].toArray(), (QJsonArray{"fc1", "fc2", "fc3"}));
    }

    void testSplitWithoutTheClasses_data() {
        QTest::addColumn<QStringList>("args");
        const QString base = m_dir.filePath("base.safetensors");
        QTest::newRow("eval") << QStringList{"eval", "--base", base, "--classes", "7,8"};
        QTest::newRow("finetune") << QStringList{"finetune", "--base", base, "--classes",
                                                 "7,8",      "--out",  "OUT"};
        QTest::newRow("train") << QStringList{"train", "--arch", "784-8-2", "--classes",
                                              "7,8",   "--out",  "OUT"};
    }
    void testSplitWithoutTheClasses() {
        QFETCH(QStringList, args);
        const QString data = m_dir.filePath("no78");
        writeMnist(data, {3, 4, 7, 8, 7, 8}, {3, 4, 3, 4});
        const QString out = m_dir.filePath("never-written");
        args.replaceInStrings("OUT", out);
        const auto run = runCli(args + QStringList{"--data", data});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed().split('\n').last(),
                 "lora-cli: the test split of " + data + " holds no images of classes 7,8");
        QVERIFY(!run.stdErr.contains("epoch")); // refused before training
        QVERIFY(!QFile::exists(out));
    }
};

QTEST_GUILESS_MAIN(TestCliListsAndSplits)
#include "tst_cli_lists_and_splits.moc"
