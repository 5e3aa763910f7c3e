// Session folders: settings, models, adapters and the recorded curves survive a save and an
// open bit for bit; an overwrite is all-or-nothing and never touches a folder that is not a
// session; every broken session is refused with one line naming the file and the fault.
#include "error_of.h"
#include "persistence/session_file.h"
#include "persistence/settings_json.h"
#include "random_matrix.h"
#include "same_bits.h"
#include "seed_base.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using lora::test::qErrorOf;
using lora::test::sameBits;
using lora::test::uniformMatrix;

namespace {

lora::AdapterEntry adapter(const lora::Mlp& base, const std::string& name, int rank,
                           std::uint64_t seed) {
    lora::AdapterEntry e;
    e.name = name;
    e.weights.spec = {rank, 2.0f * rank, false, lora::LoraInit::Kaiming};
    for (int i = 0; i < base.layerCount(); ++i)
        e.weights.layers.push_back(
            {i, e.weights.spec, uniformMatrix(rank, base.layer(i).in(), seed + i),
             0.01f * uniformMatrix(base.layer(i).out(), rank, seed + 7 + i)});
    e.info.classes = {7, 8};
    e.info.testAccuracy = 91.25f;
    return e;
}

SessionContents sample() {
    SessionContents c;
    c.settings = ExperimentSettings::forPreset(ExperimentPreset::Transfer);
    c.settings.rank = 2;
    c.settings.alpha = 4;
    const lora::Mlp base = lora::test::trainedSeedBase();
    c.base = std::make_shared<const lora::Mlp>(base);
    lora::Mlp full = base;
    full.layer(0).W *= 1.5f;
    c.full = std::make_shared<const lora::Mlp>(full);
    c.adapters = {adapter(base, "7v8 r2 α4", 2, 1), adapter(base, "7v8 r4 α8", 4, 20)};
    c.activeAdapter = "7v8 r4 α8";
    c.merged = true;
    c.loraEnabled = false;
    c.history = QJsonObject{{"runs", QJsonArray{}}, {"note", "kept as written"}};
    c.controls = QJsonObject{{"sweepPanel/ranksEdit", "1,2"}};
    c.currentTab = 3;
    return c;
}

QJsonObject readJson(const QString& dir) {
    QFile f(QDir(dir).filePath("session.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void writeJson(const QString& dir, const QJsonObject& o) {
    QFile f(QDir(dir).filePath("session.json"));
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(QJsonDocument(o).toJson());
}

void writeText(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

QByteArray readText(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestSessionFile : public QObject {
    Q_OBJECT
private slots:
    void settingsRoundTrip_data() {
        QTest::addColumn<ExperimentSettings>("settings");
        QTest::newRow("transfer") << ExperimentSettings::forPreset(ExperimentPreset::Transfer);
        QTest::newRow("fix weak digit")
            << ExperimentSettings::forPreset(ExperimentPreset::FixWeakDigit);
        ExperimentSettings odd;
        odd.rank = 64;
        odd.alpha = 0.5f;
        odd.rslora = true;
        odd.targets = {"fc2"};
        odd.learningRate = 0.003f;
        odd.seed = 18446744073709551557ull; // above 2^53: a JSON number would round it
        QTest::newRow("rsLoRA, big seed") << odd;
    }
    void settingsRoundTrip() {
        QFETCH(ExperimentSettings, settings);
        QCOMPARE(settingsFromJson(settingsToJson(settings)), settings);
    }

    void badSettings_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("rank 0") << "rank" << QJsonValue(0)
                                << "settings.rank must be a whole number ≥ 1, not 0";
        QTest::newRow("rank 2.5") << "rank" << QJsonValue(2.5)
                                  << "settings.rank must be a whole number ≥ 1, not 2.5";
        QTest::newRow("rank as text")
            << "rank" << QJsonValue("4") << "settings.rank must be a whole number ≥ 1, not \"4\"";
        QTest::newRow("alpha negative")
            << "alpha" << QJsonValue(-1) << "settings.alpha must be a positive number, not -1";
        QTest::newRow("no learning rate")
            << "learning_rate" << QJsonValue(QJsonValue::Undefined)
            << "settings.learning_rate must be a positive number, not missing";
        QTest::newRow("seed as number")
            << "seed" << QJsonValue(12) << "settings.seed must be a string, not 12";
        QTest::newRow("unknown preset")
            << "preset" << QJsonValue("Magic")
            << "settings.preset must be Transfer, FixWeakDigit or ApproximateMatrix, not "
               "\"Magic\"";
        QTest::newRow("digit 12") << "target_classes" << QJsonValue(QJsonArray{7, 12})
                                  << "settings.target_classes must be an array of digits 0-9, "
                                     "not 12";
        QTest::newRow("rslora as text") << "use_rslora" << QJsonValue("yes")
                                        << "settings.use_rslora must be true or false, not "
                                           "\"yes\"";
        QTest::newRow("batch 0") << "batch_size" << QJsonValue(0)
                                 << "settings.batch_size must be a whole number ≥ 1, not 0";
        QTest::newRow("max steps 0")
            << "max_steps" << QJsonValue(0)
            << "settings.max_steps must be a whole number ≥ 1, or -1 for no limit, not 0";
    }
    void badSettings() {
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        QJsonObject json = settingsToJson(ExperimentSettings());
        if (value.isUndefined())
            json.remove(key);
        else
            json[key] = value;
        QCOMPARE(qErrorOf([&] { settingsFromJson(json); }), message);
    }

    void folderRoundTrip() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("my session");
        const SessionContents saved = sample();
        writeSessionFolder(dir, saved);
        const SessionContents read = readSessionFolder(QDir(dir).filePath("session.json"));
        QCOMPARE(read.settings, saved.settings);
        QVERIFY(read.datasetDir.isEmpty());
        QCOMPARE(read.loraEnabled, false);
        QVERIFY(sameBits(*read.base, *saved.base));
        QVERIFY(sameBits(*read.full, *saved.full));
        QCOMPARE(read.adapters.size(), saved.adapters.size());
        for (std::size_t i = 0; i < saved.adapters.size(); ++i) {
            const lora::AdapterEntry& a = saved.adapters[i];
            const lora::AdapterEntry& b = read.adapters[i];
            QCOMPARE(b.name, a.name);
            QCOMPARE(b.info.classes, a.info.classes);
            QCOMPARE(b.info.testAccuracy, a.info.testAccuracy);
            QCOMPARE(b.weights.spec.rank, a.weights.spec.rank);
            QCOMPARE(b.weights.spec.alpha, a.weights.spec.alpha);
            QCOMPARE(b.weights.layers.size(), a.weights.layers.size());
            for (std::size_t l = 0; l < a.weights.layers.size(); ++l) {
                QVERIFY(sameBits(b.weights.layers[l].A, a.weights.layers[l].A));
                QVERIFY(sameBits(b.weights.layers[l].B, a.weights.layers[l].B));
            }
        }
        QCOMPARE(read.activeAdapter, saved.activeAdapter);
        QVERIFY(read.merged);
        QCOMPARE(read.history, saved.history);
        QCOMPARE(read.controls, saved.controls);
        QCOMPARE(read.currentTab, 3);
        // The folder alone (not its session.json) opens too.
        QCOMPARE(readSessionFolder(dir).settings, saved.settings);
        // Adapter folders are PEFT's own layout, so they open anywhere.
        const QStringList folders =
            QDir(dir + "/adapters").entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QCOMPARE(folders.size(), 2);
        for (const QString& f : folders)
            QVERIFY(QFile::exists(dir + "/adapters/" + f + "/adapter_model.safetensors"));
    }

    // Base only, no adapters: the smallest session a person saves after "Train base".
    void baseOnlyRoundTrip() {
        QTemporaryDir tmp;
        SessionContents c;
        c.base = std::make_shared<const lora::Mlp>(lora::test::trainedSeedBase());
        writeSessionFolder(tmp.filePath("s"), c);
        const SessionContents read = readSessionFolder(tmp.filePath("s"));
        QVERIFY(sameBits(*read.base, *c.base));
        QVERIFY(!read.full);
        QVERIFY(read.adapters.empty());
        QVERIFY(read.activeAdapter.isEmpty());
    }

    void overwriteIsAllOrNothing() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        SessionContents first = sample();
        writeSessionFolder(dir, first);
        const QByteArray before = QJsonDocument(readJson(dir)).toJson();

        SessionContents broken = sample();
        broken.base.reset(); // adapters without their base cannot be written
        QCOMPARE(qErrorOf([&] { writeSessionFolder(dir, broken); }),
                 QString("a session with a full fine-tune needs its base"));
        QCOMPARE(QJsonDocument(readJson(dir)).toJson(), before);

        SessionContents second = sample();
        second.settings.rank = 8;
        writeSessionFolder(dir, second);
        QCOMPARE(readSessionFolder(dir).settings.rank, 8);
        // No temporary or old folders are left beside it.
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{"s"});
    }

    void refusesToReplaceOtherFolders() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("photos");
        QVERIFY(QDir().mkpath(dir));
        QFile keep(dir + "/holiday.jpg");
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("jpeg");
        keep.close();
        QCOMPARE(qErrorOf([&] { writeSessionFolder(dir, sample()); }),
                 dir + " is a folder that holds no LoRA Explorer session.json; choose a new or "
                       "empty folder so that nothing else is replaced");
        QCOMPARE(QDir(dir).entryList(QDir::Files), QStringList{"holiday.jpg"});
        QCOMPARE(qErrorOf([&] { writeSessionFolder(dir + "/holiday.jpg", sample()); }),
                 dir + "/holiday.jpg is a file; choose a folder name for the session");
    }

    // A save over our session keeps what the user put beside it (a note, a data folder), its
    // mode, and nothing of the earlier save that the new one no longer has.
    void saveKeepsTheUsersFilesAndMode() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        QVERIFY(QDir().mkpath(dir + "/data/raw"));
        writeText(dir + "/notes.txt", "mine");
        writeText(dir + "/data/raw/digits.idx", "idx");
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0700) == 0);
        SessionContents second = sample();
        second.settings.rank = 8;
        second.full.reset();
        second.adapters.pop_back();
        second.activeAdapter.clear();
        second.merged = false;
        writeSessionFolder(dir, second);
        QCOMPARE(readSessionFolder(dir).settings.rank, 8);
        QCOMPARE(
            QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
            (QStringList{"adapters", "base.safetensors", "data", "notes.txt", "session.json"}));
        QCOMPARE(QDir(dir + "/adapters").entryList(QDir::Dirs | QDir::NoDotAndDotDot),
                 QStringList{"7v8_r2__4"});
        QCOMPARE(readText(dir + "/notes.txt"), QByteArray("mine"));
        QCOMPARE(readText(dir + "/data/raw/digits.idx"), QByteArray("idx"));
        struct stat st {};
        QVERIFY(::stat(QFile::encodeName(dir).constData(), &st) == 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0700));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 QStringList{"s"});
    }

    // A session.json that is not ours does not make a folder a session.
    void refusesAFolderWhoseSessionJsonIsNotOurs() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("other");
        QVERIFY(QDir().mkpath(dir));
        writeJson(dir, QJsonObject{{"format", "some-other-tool"}});
        writeText(dir + "/notes.txt", "mine");
        QCOMPARE(qErrorOf([&] { writeSessionFolder(dir, sample()); }),
                 dir + " is a folder that holds no LoRA Explorer session.json; choose a new or "
                       "empty folder so that nothing else is replaced");
        QCOMPARE(QDir(dir).entryList(QDir::Files), (QStringList{"notes.txt", "session.json"}));
        QCOMPARE(readJson(dir).value("format").toString(), QString("some-other-tool"));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 QStringList{"other"});
    }

    // What an earlier version's save left when killed goes on the next save beside it.
    void legacySaveDebrisRemoved() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        QVERIFY(QDir().mkpath(dir + ".saving-deadbeef/adapters"));
        QVERIFY(QDir(tmp.path()).rename("s", "s.old-0badf00d")); // killed between renames
        writeSessionFolder(tmp.filePath("t"), sample());
        QVERIFY(QFileInfo(dir + "/session.json").isFile()); // the old session is back
        writeSessionFolder(dir, sample());
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden),
                 (QStringList{"s", "t"}));
    }

    // Each row breaks one thing in a good session folder.
    void brokenSessions_data() {
        QTest::addColumn<QString>("edit");
        QTest::addColumn<QString>("message"); // after "<folder>/session.json: " unless noted
        QTest::newRow("not JSON") << "text:{\"format\": "
                                  << "not valid JSON: unterminated object at byte 11";
        QTest::newRow("not a session") << "set:format=photo-album"
                                       << "not a LoRA Explorer session (\"format\" is not "
                                          "\"lora-explorer-session\")";
        QTest::newRow("newer version")
            << "set:version=2"
            << "written by a newer LoRA Explorer (session version 2); this one reads version 1";
        QTest::newRow("base outside the folder")
            << "set:base=../base.safetensors"
            << "base must be a path inside the session folder, not \"../base.safetensors\"";
        QTest::newRow("base missing") << "remove:base.safetensors"
                                      << "base names base.safetensors, which is missing";
        QTest::newRow("active adapter unknown") << "set:active_adapter=nobody"
                                                << "active_adapter \"nobody\" is not in adapters";
        QTest::newRow("merged without active") << "set:active_adapter="
                                               << "merged needs an active_adapter";
        QTest::newRow("dataset source") << "set:dataset=usb"
                                        << "dataset.source must be \"embedded\" or \"folder\"";
        QTest::newRow("rank in settings") << "settings:rank=-3"
                                          << "settings.rank must be a whole number ≥ 1, not -3";
        QTest::newRow("architecture disagrees")
            << "settings:architecture=784-32-2"
            << "base.safetensors is a 784-64-2 network but the settings say 784-32-2";
        QTest::newRow("history not an object") << "set:history=[]"
                                               << "history must be an object";
        QTest::newRow("adapter listed twice") << "duplicate-adapter"
                                              << "adapter \"7v8 r2 α4\" is listed twice";
    }
    void brokenSessions() {
        QFETCH(QString, edit);
        QFETCH(QString, message);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        QJsonObject o = readJson(dir);
        const QString kind = edit.section(':', 0, 0);
        const QString rest = edit.section(':', 1);
        const QString key = rest.section('=', 0, 0);
        const QString value = rest.section('=', 1);
        if (kind == "text") {
            QFile f(dir + "/session.json");
            QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
            f.write(rest.toUtf8());
        } else if (kind == "set") {
            bool isNumber = false;
            const int n = value.toInt(&isNumber);
            o[key] = key == "history" ? QJsonValue(QJsonArray{})
                     : isNumber       ? QJsonValue(n)
                                      : QJsonValue(value);
            writeJson(dir, o);
        } else if (kind == "settings") {
            QJsonObject s = o["settings"].toObject();
            bool isNumber = false;
            const int n = value.toInt(&isNumber);
            s[key] = isNumber ? QJsonValue(n) : QJsonValue(value);
            o["settings"] = s;
            writeJson(dir, o);
        } else if (kind == "remove") {
            QVERIFY(QFile::remove(dir + "/" + key));
        } else if (kind == "duplicate-adapter") {
            QJsonArray a = o["adapters"].toArray();
            QJsonObject second = a[1].toObject();
            second["name"] = a[0].toObject()["name"];
            a[1] = second;
            o["adapters"] = a;
            writeJson(dir, o);
        }
        QCOMPARE(qErrorOf([&] { readSessionFolder(dir); }), dir + "/session.json: " + message);
    }

    void notASessionFolder() {
        QTemporaryDir tmp;
        QCOMPARE(qErrorOf([&] { readSessionFolder(tmp.path()); }),
                 tmp.path() + " is not a session folder: it has no session.json");
    }

    // A truncated safetensors file is named by the model loader's own message.
    void truncatedBase() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        QFile f(dir + "/base.safetensors");
        QVERIFY(f.resize(100));
        const QString error = qErrorOf([&] { readSessionFolder(dir); });
        QVERIFY2(error.startsWith(dir + "/base.safetensors"), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSessionFile)
#include "tst_session_file.moc"
