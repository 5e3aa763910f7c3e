// The input gate: regular files only, a size budget checked before reading, and folders
// that nothing leaves through a symlink — checked on what was opened, not on the path text.
#include "error_of.h"
#include "io/input_gate.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace lora;
using lora::test::qErrorOf;

class TestInputGate : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    std::string path(const std::string& name) const {
        return m_dir.filePath(QString::fromStdString(name)).toStdString();
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        // session/ holds a file, a symlink to it, and symlinks leading out; outside.txt is
        // the outside world.
        QVERIFY(QDir(m_dir.path()).mkpath("session/adapters/a"));
        QVERIFY(QDir(m_dir.path()).mkpath("elsewhere/x"));
        write("outside.txt", "secret");
        write("elsewhere/x/inner.txt", "secret too");
        write("session/base.bin", "base");
        write("session/adapters/a/config.json", "{}");
        QCOMPARE(::symlink("base.bin", path("session/alias.bin").c_str()), 0);
        QCOMPARE(::symlink("../outside.txt", path("session/escape.bin").c_str()), 0);
        QCOMPARE(::symlink(path("outside.txt").c_str(), path("session/absolute.bin").c_str()), 0);
        QCOMPARE(::symlink("../../elsewhere/x", path("session/adapters/out").c_str()), 0);
        QCOMPARE(::symlink("../elsewhere", path("session/linked").c_str()), 0);
        QCOMPARE(::mkfifo(path("fifo").c_str(), 0600), 0);
    }

    void confinement_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("a file in the folder") << "session/base.bin" << true;
        QTest::newRow("a symlink inside the folder") << "session/alias.bin" << true;
        QTest::newRow("in a sub-folder") << "session/adapters/a/config.json" << true;
        QTest::newRow("symlink to ../") << "session/escape.bin" << false;
        QTest::newRow("absolute symlink") << "session/absolute.bin" << false;
        QTest::newRow("through a linked folder") << "session/adapters/out/inner.txt" << false;
        QTest::newRow("through a linked parent") << "session/linked/x/inner.txt" << false;
        QTest::newRow("dot-dot in the text") << "session/../outside.txt" << false;
    }
    void confinement() {
        QFETCH(QString, name);
        QFETCH(bool, allowed);
        const std::string file = path(name.toStdString());
        const std::string folder = path("session");
        const QString error = qErrorOf([&] { readFileBytes(file, 1 << 20, folder); });
        if (allowed) {
            QCOMPARE(error, QString("(no error)"));
            return;
        }
        QCOMPARE(error, QString::fromStdString("cannot read " + file +
                                               ": it resolves to a place outside " + folder));
        QVERIFY(!error.contains("secret"));
        // Without a folder, the same file reads: confinement is asked for, not imposed.
        QVERIFY(!readFileBytes(file).empty());
    }

    void notRegularFiles_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("reason");
        QTest::newRow("FIFO") << QString::fromStdString(path("fifo"))
                              << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("device") << "/dev/zero"
                                << "not a regular file (a device, FIFO or socket)";
        QTest::newRow("folder") << QString::fromStdString(path("session")) << "Is a directory";
        QTest::newRow("missing") << QString::fromStdString(path("none"))
                                 << "No such file or directory";
    }
    void notRegularFiles() {
        QFETCH(QString, file);
        QFETCH(QString, reason);
        const QString error = qErrorOf([&] { readFileBytes(file.toStdString()); });
        QVERIFY2(error.endsWith(": " + reason), qPrintable(error));
    }

    void budgetCheckedBeforeReading() {
        write("big.bin", std::string(1000, 'x'));
        QCOMPARE(qErrorOf([&] { readFileBytes(path("big.bin"), 999); }),
                 QString::fromStdString("cannot read " + path("big.bin") +
                                        ": 1000 bytes is more than the 999 allowed"));
        QCOMPARE(readFileBytes(path("big.bin"), 1000).size(), std::size_t(1000));
    }

    void readAtReadsWhatWasOpened() {
        write("abc.bin", "abcdef");
        const InputFile in(path("abc.bin"), 100);
        QCOMPARE(in.size(), std::uint64_t(6));
        std::uint8_t two[2];
        in.readAt(two, 3, 2);
        QCOMPARE(two[0], std::uint8_t('d'));
        QCOMPARE(two[1], std::uint8_t('e'));
        // A file cut short after it was opened is named, not read past its end.
        QCOMPARE(::truncate(path("abc.bin").c_str(), 2), 0);
        QCOMPARE(qErrorOf([&] { in.readAt(two, 3, 2); }),
                 QString::fromStdString("cannot read " + path("abc.bin") +
                                        ": it became shorter while read"));
    }
};

QTEST_APPLESS_MAIN(TestInputGate)
#include "tst_input_gate.moc"
