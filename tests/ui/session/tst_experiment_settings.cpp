// ExperimentSettings: the three presets, one-line validation messages naming the control,
// and QSettings persistence (the session file's JSON object) that falls back per key on
// missing or malformed values.
#include "error_of.h"
#include "session/experiment_settings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <functional>

using lora::test::errorOf;

Q_DECLARE_METATYPE(std::function<void(ExperimentSettings&)>)

using Edit = std::function<void(ExperimentSettings&)>;

class TestExperimentSettings : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_files = 0;
    QString iniPath() { return m_dir.filePath(QStringLiteral("s%1.ini").arg(++m_files)); }
    static QJsonObject storedObject(const QString& path) {
        QSettings in(path, QSettings::IniFormat);
        const QString text = in.value(QStringLiteral("experiment/settings")).toString();
        return QJsonDocument::fromJson(text.toUtf8()).object();
    }
    static void store(const QString& path, const QJsonObject& object) {
        QSettings out(path, QSettings::IniFormat);
        out.setValue(QStringLiteral("experiment/settings"),
                     QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)));
    }

private slots:
    void transferPreset() {
        const auto s = ExperimentSettings::forPreset(ExperimentPreset::Transfer);
        QCOMPARE(s.architecture, std::string("784-64-2"));
        QCOMPARE(s.baseClasses, (std::vector<int>{3, 4}));
        QCOMPARE(s.targetClasses, (std::vector<int>{7, 8}));
        QVERIFY(s.trainDigits.empty());
        QCOMPARE(s.rank, 4);
        QCOMPARE(s.alpha, 1.0f);
        QCOMPARE(s.targets, (std::vector<std::string>{"fc1", "fc2"}));
        QCOMPARE(s.learningRate, 0.01f);
        QCOMPARE(s.baseEpochs, 1);
        QCOMPARE(s.fineTuneEpochs, 5);
        QCOMPARE(s.maxSteps, -1L);
        QCOMPARE(s.batchSize, 64);
        QCOMPARE(s.seed, std::uint64_t(0));
        QCOMPARE(s.scale(), 0.25f);
        QCOMPARE(s, ExperimentSettings{}); // the defaults are this preset
        s.validate();
    }

    void fixWeakDigitPreset() {
        const auto s = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        QCOMPARE(s.preset, ExperimentPreset::FixWeakDigit);
        QCOMPARE(s.architecture, std::string("784-1000-2000-10"));
        QCOMPARE(s.baseClasses, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
        QCOMPARE(s.targetClasses, s.baseClasses);
        QCOMPARE(s.trainDigits, std::vector<int>{9});
        QCOMPARE(s.rank, 1);
        QVERIFY(s.targets.empty());
        QCOMPARE(s.learningRate, 0.001f);
        QCOMPARE(s.fineTuneEpochs, 1);
        QCOMPARE(s.maxSteps, 100L);
        QCOMPARE(s.batchSize, 10);
        const lora::TrainOptions ft = s.fineTuneOptions();
        QCOMPARE(ft.maxSteps, 100L);
        QCOMPARE(ft.batchSize, 10);
        QCOMPARE(s.baseOptions().maxSteps, -1L); // the base trains whole epochs
        s.validate();
    }

    void approximateMatrixPreset() {
        const auto s = ExperimentSettings::forPreset(ExperimentPreset::ApproximateMatrix);
        QCOMPARE(s.rank, 2);
        QCOMPARE(s.architecture, std::string("784-64-2"));
        s.validate();
    }

    void presetNames() {
        QCOMPARE(presetName(ExperimentPreset::Transfer),
                 QStringLiteral("Transfer 3-vs-4 → 7-vs-8 (seed 000)"));
        QCOMPARE(presetName(ExperimentPreset::FixWeakDigit),
                 QStringLiteral("Fix the weakest digit (seed 001)"));
        QCOMPARE(presetName(ExperimentPreset::ApproximateMatrix),
                 QStringLiteral("Approximate a matrix (seed 002)"));
    }

    void rsloraScale() {
        ExperimentSettings s;
        s.rank = 4;
        s.alpha = 8;
        s.rslora = true;
        QCOMPARE(s.scale(), 4.0f);
        QCOMPARE(s.loraSpec().init, lora::LoraInit::Kaiming);
    }

    void validateNamesTheControl_data() {
        QTest::addColumn<Edit>("edit");
        QTest::addColumn<QString>("message");
        const float nan = std::nanf("");
        QTest::newRow("arch") << Edit([](auto& s) { s.architecture = "784--2"; })
                              << "architecture '784--2' has an empty layer width";
        QTest::newRow("inputs") << Edit([](auto& s) { s.architecture = "10-2"; })
                                << "architecture 10-2 takes 10 inputs but images have 784 pixels";
        QTest::newRow("base count") << Edit([](auto& s) {
            s.baseClasses = {1, 2, 3};
        })
                                    << "base classes: 3 digits chosen but architecture 784-64-2 "
                                       "has 2 outputs";
        QTest::newRow("target count")
            << Edit([](auto& s) { s.targetClasses = {7}; })
            << "target classes: 1 digits chosen but architecture 784-64-2 has 2 outputs";
        QTest::newRow("digit range") << Edit([](auto& s) {
            s.targetClasses = {7, 12};
        }) << "target classes: 12 is not a digit 0-9";
        QTest::newRow("repeat") << Edit([](auto& s) {
            s.baseClasses = {3, 3};
        }) << "base classes: digit 3 is listed twice";
        QTest::newRow("empty") << Edit([](auto& s) { s.baseClasses.clear(); })
                               << "base classes are empty (choose at least one digit)";
        QTest::newRow("train digit") << Edit([](auto& s) { s.trainDigits = {9}; })
                                     << "train digit 9 is not among the target classes 7,8";
        QTest::newRow("rank") << Edit([](auto& s) { s.rank = 0; }) << "rank must be at least 1";
        QTest::newRow("alpha 0") << Edit([](auto& s) { s.alpha = 0; })
                                 << "alpha must be a positive number";
        QTest::newRow("alpha nan")
            << Edit([nan](auto& s) { s.alpha = nan; }) << "alpha must be a positive number";
        QTest::newRow("targets") << Edit([](auto& s) {
            s.targets = {"fc1", "fc3"};
        }) << "target layer 'fc3' does not exist in 784-64-2 (layers fc1-fc2)";
        QTest::newRow("target name") << Edit([](auto& s) { s.targets = {"conv"}; })
                                     << "target layer 'conv' does not exist in 784-64-2 (layers "
                                        "fc1-fc2)";
        QTest::newRow("lr") << Edit([](auto& s) { s.learningRate = -0.1f; })
                            << "learning rate must be a positive number";
        QTest::newRow("base epochs")
            << Edit([](auto& s) { s.baseEpochs = 0; }) << "base epochs must be at least 1";
        QTest::newRow("ft epochs") << Edit([](auto& s) { s.fineTuneEpochs = -2; })
                                   << "fine-tune epochs must be at least 1";
        QTest::newRow("batch") << Edit([](auto& s) { s.batchSize = 0; })
                               << "batch size must be at least 1";
        QTest::newRow("max steps") << Edit([](auto& s) { s.maxSteps = 0; })
                                   << "max steps must be at least 1 (or -1 for no limit)";
    }
    void validateNamesTheControl() {
        QFETCH(Edit, edit);
        QFETCH(QString, message);
        ExperimentSettings s;
        edit(s);
        const std::string error = errorOf([&] { s.validate(); });
        QCOMPARE(QString::fromStdString(error), message);
        QVERIFY(error.find('\n') == std::string::npos);
    }

    void saveLoadRoundTrip_data() {
        QTest::addColumn<int>("preset");
        QTest::newRow("transfer") << int(ExperimentPreset::Transfer);
        QTest::newRow("fix weak digit") << int(ExperimentPreset::FixWeakDigit);
        QTest::newRow("approximate") << int(ExperimentPreset::ApproximateMatrix);
    }
    void saveLoadRoundTrip() {
        QFETCH(int, preset);
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset(preset));
        s.alpha = 2.5f;
        s.rslora = true;
        s.learningRate = 0.003f;
        s.seed = 123456789012345ULL;
        const QString path = iniPath();
        {
            QSettings out(path, QSettings::IniFormat);
            saveSettings(out, s);
        }
        QSettings in(path, QSettings::IniFormat);
        QVERIFY(in.contains(QStringLiteral("experiment/settings")));
        QCOMPARE(loadSettings(in), s);
    }

    // The remembered settings are the session file's settings object, key for key.
    void storedAsTheSessionSchema() {
        const QString path = iniPath();
        {
            QSettings out(path, QSettings::IniFormat);
            saveSettings(out, ExperimentSettings{});
        }
        const QJsonObject stored = storedObject(path);
        QCOMPARE(stored.value("use_rslora"), QJsonValue(false));
        QCOMPARE(stored.value("learning_rate"), QJsonValue(0.01));
        QCOMPARE(stored.value("seed"), QJsonValue("0"));
        QCOMPARE(stored.keys().size(), 15);
    }

    void missingKeysFallBackToTransfer() {
        QSettings empty(iniPath(), QSettings::IniFormat);
        QCOMPARE(loadSettings(empty), ExperimentSettings::forPreset(ExperimentPreset::Transfer));
    }

    void notJsonFallsBackToTransfer() {
        const QString path = iniPath();
        {
            QSettings out(path, QSettings::IniFormat);
            out.setValue(QStringLiteral("experiment/settings"), QStringLiteral("{rank: 8"));
        }
        QSettings in(path, QSettings::IniFormat);
        QCOMPARE(loadSettings(in), ExperimentSettings{});
    }

    // Each malformed key falls back alone; the good keys around it are kept.
    void garbageFallsBackPerKey_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::newRow("preset") << "preset" << QJsonValue("Nonsense");
        QTest::newRow("arch") << "architecture" << QJsonValue("784-x-2");
        QTest::newRow("base classes twice") << "base_classes" << QJsonValue(QJsonArray{3, 3});
        QTest::newRow("target classes empty") << "target_classes" << QJsonValue(QJsonArray{});
        QTest::newRow("train digits") << "train_digits" << QJsonValue(QJsonArray{12});
        QTest::newRow("rank text") << "rank" << QJsonValue("four");
        QTest::newRow("rank 0") << "rank" << QJsonValue(0);
        QTest::newRow("alpha") << "alpha" << QJsonValue(-1);
        QTest::newRow("alpha nan") << "alpha" << QJsonValue("nan");
        QTest::newRow("rslora") << "use_rslora" << QJsonValue("maybe");
        QTest::newRow("targets") << "target_modules" << QJsonValue(QJsonArray{"fc1", "", "fc2"});
        QTest::newRow("lr") << "learning_rate" << QJsonValue(0);
        QTest::newRow("epochs") << "fine_tune_epochs" << QJsonValue("1e9x");
        QTest::newRow("max steps") << "max_steps" << QJsonValue(0);
        QTest::newRow("batch") << "batch_size" << QJsonValue(-64);
        QTest::newRow("seed") << "seed" << QJsonValue("-3");
    }
    void garbageFallsBackPerKey() {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        ExperimentSettings good =
            ExperimentSettings::forPreset(ExperimentPreset::ApproximateMatrix);
        good.rank = 8;
        good.alpha = 16;
        good.batchSize = 32;
        good.fineTuneEpochs = 3;
        good.seed = 7;
        const QString path = iniPath();
        {
            QSettings out(path, QSettings::IniFormat);
            saveSettings(out, good);
        }
        QJsonObject stored = storedObject(path);
        stored[key] = value;
        store(path, stored);
        QSettings in(path, QSettings::IniFormat);
        const ExperimentSettings loaded = loadSettings(in);
        const ExperimentSettings transfer;
        ExperimentSettings expected = good;
        if (key == "preset") expected.preset = transfer.preset;
        if (key == "architecture") expected.architecture = transfer.architecture;
        if (key == "base_classes") expected.baseClasses = transfer.baseClasses;
        if (key == "target_classes") expected.targetClasses = transfer.targetClasses;
        if (key == "train_digits") expected.trainDigits = transfer.trainDigits;
        if (key == "rank") expected.rank = transfer.rank;
        if (key == "alpha") expected.alpha = transfer.alpha;
        if (key == "use_rslora") expected.rslora = transfer.rslora;
        if (key == "target_modules") expected.targets = transfer.targets;
        if (key == "learning_rate") expected.learningRate = transfer.learningRate;
        if (key == "fine_tune_epochs") expected.fineTuneEpochs = transfer.fineTuneEpochs;
        if (key == "max_steps") expected.maxSteps = transfer.maxSteps;
        if (key == "batch_size") expected.batchSize = transfer.batchSize;
        if (key == "seed") expected.seed = transfer.seed;
        QCOMPARE(loaded, expected);
    }

    // Keys valid one by one but inconsistent together give the whole Transfer preset, so
    // the app never starts with settings it would refuse.
    void inconsistentKeysGiveThePreset() {
        const QString path = iniPath();
        {
            QSettings out(path, QSettings::IniFormat);
            saveSettings(out, ExperimentSettings{});
        }
        QJsonObject stored = storedObject(path);
        stored["architecture"] = "784-100-10";
        stored["rank"] = 9;
        store(path, stored);
        QSettings in(path, QSettings::IniFormat);
        QCOMPARE(loadSettings(in), ExperimentSettings{});
    }

    void allTargetsRoundTripAsEmpty() {
        ExperimentSettings s;
        s.targets.clear();
        const QString path = iniPath();
        {
            QSettings out(path, QSettings::IniFormat);
            saveSettings(out, s);
        }
        QSettings in(path, QSettings::IniFormat);
        QVERIFY(loadSettings(in).targets.empty());
    }
};

QTEST_MAIN(TestExperimentSettings)
#include "tst_experiment_settings.moc"
