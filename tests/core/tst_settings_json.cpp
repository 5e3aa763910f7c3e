// The one schema of ExperimentSettings: exact text, round trips of every preset, strict
// refusals naming the key, lenient per-key fall-back, and --settings files.
#include "io/settings_json.h"
#include "util/error.h"

#include "error_of.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>
#include <sys/stat.h>

using namespace lora;
using lora::test::qErrorOf;

namespace {

// The default settings' text with `from` replaced by `to` (which must occur exactly once).
std::string edited(const std::string& from, const std::string& to) {
    std::string text = settingsToJsonText(ExperimentSettings{});
    const std::size_t at = text.find(from);
    if (at == std::string::npos || text.find(from, at + 1) != std::string::npos)
        throw std::logic_error("edit does not match once: " + from);
    return text.replace(at, from.size(), to);
}

void writeText(const QString& path, const std::string& text) {
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

} // namespace

class TestSettingsJson : public QObject {
    Q_OBJECT
private slots:
    void defaultText() {
        QCOMPARE(QString::fromStdString(settingsToJsonText(ExperimentSettings{})),
                 QStringLiteral(R"({"preset":"Transfer","architecture":"784-64-2",)"
                                R"("base_classes":[3,4],"target_classes":[7,8],"train_digits":[],)"
                                R"("rank":4,"alpha":1.0,"use_rslora":false,)"
                                R"("target_modules":["fc1","fc2"],"learning_rate":0.01,)"
                                R"("base_epochs":1,"fine_tune_epochs":5,"max_steps":-1,)"
                                R"("batch_size":64,"seed":"0"})"));
        QCOMPARE(settingsKeys().size(), std::size_t(15));
    }

    void roundTrip_data() {
        QTest::addColumn<int>("preset");
        for (ExperimentPreset p : ExperimentSettings::kPresets)
            QTest::newRow(ExperimentSettings::presetKey(p)) << int(p);
    }
    void roundTrip() {
        QFETCH(int, preset);
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset(preset));
        s.alpha = 0.3f; // not a short double: must come back as the same float
        s.learningRate = 0.003f;
        s.seed = 18446744073709551615ULL; // above 2^53: kept as a string
        s.rslora = true;
        QCOMPARE(settingsFromJsonText(settingsToJsonText(s)), s);
    }

    void strictRefusals_data() {
        QTest::addColumn<QString>("from");
        QTest::addColumn<QString>("to");
        QTest::addColumn<QString>("message");
        QTest::newRow("rank text") << R"("rank":4)"
                                   << R"("rank":"4")"
                                   << "settings.rank must be a whole number ≥ 1, not \"4\"";
        QTest::newRow("rank 2.5") << R"("rank":4)"
                                  << R"("rank":2.5)"
                                  << "settings.rank must be a whole number ≥ 1, not 2.5";
        QTest::newRow("rank missing") << R"("rank":4,)"
                                      << ""
                                      << "settings.rank must be a whole number ≥ 1, not missing";
        QTest::newRow("seed number") << R"("seed":"0")"
                                     << R"("seed":12)"
                                     << "settings.seed must be a string, not 12";
        QTest::newRow("classes twice")
            << R"("base_classes":[3,4])"
            << R"("base_classes":[3,3])"
            << "base classes: digit 3 is listed twice"; // validate()'s, as the GUI says it
        QTest::newRow("train digit 12")
            << R"("train_digits":[])"
            << R"("train_digits":[12])"
            << "settings.train_digits must be an array of digits 0-9, not 12";
        QTest::newRow("layer name") << R"(["fc1","fc2"])"
                                    << R"(["fc1","fc02"])"
                                    << "target layer 'fc02' does not exist in 784-64-2 (layers "
                                       "fc1-fc2)";
        QTest::newRow("rslora text") << R"("use_rslora":false)"
                                     << R"("use_rslora":"false")"
                                     << "settings.use_rslora must be true or false, not \"false\"";
        QTest::newRow("max steps 0") << R"("max_steps":-1)"
                                     << R"("max_steps":0)"
                                     << "settings.max_steps must be a whole number ≥ 1, or -1 "
                                        "for no limit, not 0";
        // Keys right one by one but wrong together: validate() names the conflict.
        QTest::newRow("layer fc3") << R"(["fc1","fc2"])"
                                   << R"(["fc3"])"
                                   << "target layer 'fc3' does not exist in 784-64-2 (layers "
                                      "fc1-fc2)";
        QTest::newRow("broken JSON") << R"({"preset")"
                                     << R"([{"preset")"
                                     << "settings is not valid JSON";
    }
    void strictRefusals() {
        QFETCH(QString, from);
        QFETCH(QString, to);
        QFETCH(QString, message);
        const std::string text = edited(from.toStdString(), to.toStdString());
        QCOMPARE(qErrorOf([&] { settingsFromJsonText(text); }), message);
    }

    void tooLongIsRefusedUnread() {
        const std::string text(kMaxSettingsTextBytes + 1, ' ');
        QCOMPARE(qErrorOf([&] { settingsFromJsonText(text); }),
                 QStringLiteral("settings is over 1024 KiB; settings are a few hundred bytes"));
    }

    void lenientKeepsTheFallbackPerKey() {
        ExperimentSettings fallback = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        std::string text = settingsToJsonText(fallback);
        text.replace(text.find(R"("rank":1)"), 8, R"("rank":0)");
        text.replace(text.find(R"("batch_size":10)"), 15, R"("batch_size":12)");
        ExperimentSettings expected = fallback;
        expected.batchSize = 12; // the good key is taken, the bad one falls back
        QCOMPARE(settingsFromJsonTextOr(text, fallback), expected);
        QCOMPARE(settingsFromJsonTextOr("not json", fallback), fallback);
    }

    void settingsFile_data() {
        QTest::addColumn<QString>("wrap");
        QTest::newRow("settings object") << "%1";
        QTest::newRow("session.json") << R"({"format":"lora-explorer-session","settings":%1})";
    }
    void settingsFile() {
        QFETCH(QString, wrap);
        QTemporaryDir dir;
        ExperimentSettings s = ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        s.rank = 3;
        const QString path = dir.filePath("s.json");
        writeText(path, wrap.arg(QString::fromStdString(settingsToJsonText(s))).toStdString());
        QCOMPARE(readSettingsFile(path.toStdString()), s);
    }

    // Refused at once and without reading: what readFileBytes does for every reader.
    void hostileSettingsFiles_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("message");
        QTest::newRow("device") << "device"
                                << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("fifo") << "fifo"
                              << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("over 1 MiB") << "big"
                                    << "1048577 bytes is more than the 1048576 allowed";
    }
    void hostileSettingsFiles() {
        QFETCH(QString, kind);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QString path = "/dev/zero";
        if (kind == "fifo") {
            path = dir.filePath("fifo");
            QCOMPARE(::mkfifo(path.toLocal8Bit().constData(), 0600), 0);
        } else if (kind == "big") {
            path = dir.filePath("big.json");
            writeText(path, std::string(kMaxSettingsTextBytes + 1, ' '));
        }
        QCOMPARE(qErrorOf([&] { readSettingsFile(path.toStdString()); }),
                 "cannot read " + path + ": " + message);
    }

    void settingsFileNamesItself() {
        QTemporaryDir dir;
        const QString path = dir.filePath("s.json");
        writeText(path, edited(R"("rank":4)", R"("rank":-1)"));
        QCOMPARE(qErrorOf([&] { readSettingsFile(path.toStdString()); }),
                 path + ": settings.rank must be a whole number ≥ 1, not -1");
    }
};

QTEST_APPLESS_MAIN(TestSettingsJson)
#include "tst_settings_json.moc"
