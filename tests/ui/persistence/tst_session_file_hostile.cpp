// Hostile session folders: whatever a session names is read from inside its folder, after
// symlinks are resolved on what was opened, so a session cannot make the app load (or show
// in a message) a file elsewhere; devices, FIFOs and oversized files are refused at once.
#include "error_of.h"
#include "io/input_gate.h"
#include "persistence/session_file.h"
#include "random_matrix.h"
#include "seed_base.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using lora::test::qErrorOf;

namespace {

SessionContents sample() {
    SessionContents c;
    c.settings = ExperimentSettings::forPreset(ExperimentPreset::Transfer);
    const lora::Mlp base = lora::test::trainedSeedBase();
    c.base = std::make_shared<const lora::Mlp>(base);
    lora::AdapterEntry e;
    e.name = "a";
    e.weights.spec = {2, 4.0f, false, lora::LoraInit::Kaiming};
    for (int i = 0; i < base.layerCount(); ++i) // B = 0, as a fresh adapter has it
        e.weights.layers.push_back({i, e.weights.spec,
                                    lora::test::uniformMatrix(2, base.layer(i).in(), 5 + i),
                                    lora::Matrix::Zero(base.layer(i).out(), 2)});
    e.info.classes = {7, 8};
    c.adapters = {e};
    c.activeAdapter = "a";
    return c;
}

QString adapterPath(const QString& dir) {
    QFile f(dir + "/session.json");
    if (!f.open(QIODevice::ReadOnly)) return {};
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    return o["adapters"].toArray()[0].toObject()["path"].toString();
}

bool replaceWithSymlink(const QString& path, const QString& target) {
    QDir d(path);
    if (QFileInfo(path).isDir() && !QFileInfo(path).isSymLink() && !d.removeRecursively())
        return false;
    if (QFileInfo(path).isFile()) QFile::remove(path);
    return ::symlink(target.toUtf8().constData(), path.toUtf8().constData()) == 0;
}

} // namespace

class TestSessionFileHostile : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_outside; // a session elsewhere, whose files a hostile one points at

private slots:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_outside = m_tmp.filePath("outside");
        writeSessionFolder(m_outside, sample());
        QFile secret(m_tmp.filePath("shadow"));
        QVERIFY(secret.open(QIODevice::WriteOnly));
        secret.write("root:$6$s3cr3tHash:19000:0:99999:7:::\n");
    }

    void escapesAreRefused_data() {
        QTest::addColumn<QString>("link");    // inside the session
        QTest::addColumn<QString>("target");  // where it leads; {out} is the outside session
        QTest::addColumn<QString>("refused"); // the file the message names, inside the session
        QTest::newRow("base to a model outside") << "base.safetensors"
                                                 << "{out}/base.safetensors"
                                                 << "base.safetensors";
        QTest::newRow("base to a password file") << "base.safetensors"
                                                 << "{tmp}/shadow"
                                                 << "base.safetensors";
        QTest::newRow("base, relative ../") << "base.safetensors"
                                            << "{rel-out}/base.safetensors"
                                            << "base.safetensors";
        QTest::newRow("an adapter folder outside") << "{adapter}"
                                                   << "{out}/{adapter}"
                                                   << "{adapter}/adapter_config.json";
        QTest::newRow("the adapters folder outside") << "adapters"
                                                     << "{out}/adapters"
                                                     << "{adapter}/adapter_config.json";
        QTest::newRow("session.json outside") << "session.json"
                                              << "{out}/session.json"
                                              << "session.json";
    }
    void escapesAreRefused() {
        QFETCH(QString, link);
        QFETCH(QString, target);
        QFETCH(QString, refused);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        const QString adapter = adapterPath(dir);
        QVERIFY(!adapter.isEmpty());
        const auto expand = [&](QString s) {
            return s.replace("{out}", m_outside)
                .replace("{tmp}", m_tmp.path())
                .replace("{adapter}", adapter)
                .replace("{rel-out}", QDir(dir).relativeFilePath(m_outside));
        };
        QVERIFY(replaceWithSymlink(dir + "/" + expand(link), expand(target)));
        const QString error = qErrorOf([&] { readSessionFolder(dir); });
        QVERIFY2(error.startsWith("cannot read " + dir + "/" + expand(refused) +
                                  ": it resolves to a place outside " + dir),
                 qPrintable(error));
        QVERIFY(!error.contains("s3cr3t") && !error.contains("root"));
    }

    // A symlink that stays inside the folder is fine: a session may be laid out by hand.
    void symlinksInsideAreFollowed() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        QVERIFY(QDir(dir).mkdir("models"));
        QVERIFY(QFile::rename(dir + "/base.safetensors", dir + "/models/base.safetensors"));
        QVERIFY(replaceWithSymlink(dir + "/base.safetensors", "models/base.safetensors"));
        const SessionContents c = readSessionFolder(dir);
        QVERIFY(c.base);
        QCOMPARE(c.adapters.size(), std::size_t(1));
    }

    void specialFilesAreRefusedAtOnce_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("reason");
        QTest::newRow("FIFO base") << "base.safetensors"
                                   << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("base links to /dev/zero") << "base.safetensors"
                                                 << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("FIFO session.json") << "session.json"
                                           << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("huge session.json") << "session.json"
                                           << "more than the 16777216 allowed";
    }
    void specialFilesAreRefusedAtOnce() {
        QFETCH(QString, name);
        QFETCH(QString, reason);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("s");
        writeSessionFolder(dir, sample());
        const QString path = dir + "/" + name;
        if (QString(QTest::currentDataTag()).contains("/dev/zero")) {
            QVERIFY(QFile::remove(path));
            QVERIFY(QFile::link("/dev/zero", path));
        } else if (name == "session.json" && reason.startsWith("more")) {
            QFile f(path); // sparse: costs nothing on disk
            QVERIFY(f.resize(qint64(lora::kMaxSessionJsonBytes) + 1));
        } else {
            QVERIFY(QFile::remove(path));
            QCOMPARE(::mkfifo(path.toUtf8().constData(), 0600), 0);
        }
        const QString error = qErrorOf([&] { readSessionFolder(dir); });
        QVERIFY2(error.startsWith("cannot read " + path + ": ") && error.contains(reason),
                 qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSessionFileHostile)
#include "tst_session_file_hostile.moc"
