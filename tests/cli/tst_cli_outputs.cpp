// lora-cli outputs never clobber: --out or --logits onto one of the command's inputs (the same
// file by device and inode, however it is spelled or linked), onto a device, a symbolic link
// or a folder LoRA Explorer did not write exits with 2 and one line, before any work, and
// leaves every file as it was. A folder that is ours is replaced and keeps what else it holds.
#include "cli_runner.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "util/rng.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>

#include <filesystem>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using lora::test::runCli;

namespace {

// Every entry below `dir` with what would show a write: inode, mode, size, change time.
QStringList snapshot(const QString& dir) {
    QStringList rows;
    QDirIterator it(dir, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        struct stat st {};
        ::lstat(QFile::encodeName(path).constData(), &st);
        rows << QStringLiteral("%1 %2 %3 %4 %5.%6")
                    .arg(path)
                    .arg(st.st_ino)
                    .arg(st.st_mode, 0, 8)
                    .arg(st.st_size)
                    .arg(st.st_ctim.tv_sec)
                    .arg(st.st_ctim.tv_nsec);
    }
    rows.sort();
    return rows;
}

} // namespace

class TestCliOutputs : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString at(const QString& name) const { return m_dir.filePath(name); }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        lora::Mlp model("784-16-2");
        lora::Rng rng(3);
        model.initDefault(rng);
        lora::saveModel(at("base.safetensors").toStdString(), model, {{3, 4}});
        lora::saveModel(at("other.safetensors").toStdString(), model, {{3, 4}});
        model.attachLora({{2, 4.0f}, {}}, rng);
        lora::saveAdapter(at("r2").toStdString(), model, {{3, 4}});
        QVERIFY(::link(QFile::encodeName(at("base.safetensors")).constData(),
                       QFile::encodeName(at("hardlink.safetensors")).constData()) == 0);
        // A clone of /dev/null: as root, --out /dev/null must not replace the system's.
        QVERIFY(::mknod(QFile::encodeName(at("null")).constData(), S_IFCHR | 0666, makedev(1, 3)) ==
                0);
        QVERIFY(QFile::link(at("other.safetensors"), at("link.safetensors")));
        QVERIFY(QDir().mkpath(at("photos/2024")));
        QFile notes(at("photos/notes.txt"));
        QVERIFY(notes.open(QIODevice::WriteOnly));
        notes.write("mine");
        notes.close();
        QVERIFY(::chmod(QFile::encodeName(at("photos")).constData(), 0700) == 0);
    }

    void refused_data() {
        QTest::addColumn<QStringList>("args"); // "@" stands for the temporary folder
        QTest::addColumn<QString>("error");
        const QStringList evalBase{"eval", "--base", "@/base.safetensors", "--logits"};
        const QString input = " would overwrite the input ";
        QTest::newRow("eval --logits onto --base")
            << evalBase + QStringList{"@/base.safetensors"}
            << "--logits @/base.safetensors" + input + "--base @/base.safetensors";
        QTest::newRow("another spelling") << evalBase + QStringList{"@/r2/../base.safetensors"}
                                          << "--logits @/r2/../base.safetensors" + input;
        QTest::newRow("a hard link") << evalBase + QStringList{"@/hardlink.safetensors"}
                                     << "--logits @/hardlink.safetensors" + input;
        QTest::newRow("a file inside an input folder")
            << QStringList{"adapters",  "merge", "--base", "@/base.safetensors",
                           "--adapter", "@/r2",  "--out",  "@/r2/adapter_model.safetensors"}
            << "--out @/r2/adapter_model.safetensors" + input + "--adapter @/r2";
        QTest::newRow("combine onto one of its adapters")
            << QStringList{"adapters",   "combine",   "--base", "@/base.safetensors",
                           "--adapters", "@/r2,@/r2", "--out",  "@/r2"}
            << "--out @/r2" + input + "--adapters @/r2";
        const QStringList train{"train", "--arch", "784-8-2", "--classes", "3,4", "--out"};
        QTest::newRow("a device") << train + QStringList{"@/null"}
                                  << "--out: cannot write @/null: it is a device";
        QTest::newRow("a symbolic link")
            << train + QStringList{"@/link.safetensors"}
            << "--out: cannot write @/link.safetensors: it is a symbolic link";
        QTest::newRow("a foreign folder")
            << QStringList{"finetune", "--base", "@/base.safetensors", "--out", "@/photos"}
            << "--out: cannot write @/photos: it is a folder LoRA Explorer did not write (no "
               "adapter_config.json); choose a new or empty folder";
    }
    void refused() {
        QFETCH(QStringList, args);
        QFETCH(QString, error);
        args.replaceInStrings("@", m_dir.path());
        error.replace("@", m_dir.path());
        const QStringList before = snapshot(m_dir.path());
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        const QString line = run.stdErr.trimmed();
        QVERIFY2(line.contains(error), qPrintable(line));
        QVERIFY2(!line.contains('\n') && line.size() <= 300, qPrintable(line));
        QCOMPARE(snapshot(m_dir.path()), before);
    }

    // A file beside an input that no reader takes from its folder is not an input: the
    // previous run's output there is replaced.
    void previousOutputInAnInputFolderIsReplaced() {
        const QStringList args{"adapters",  "merge",  "--base", at("base.safetensors"),
                               "--adapter", at("r2"), "--out",  at("r2/merged.safetensors")};
        for (int run = 0; run < 2; ++run) {
            const auto result = runCli(args);
            QVERIFY2(result.exitCode == 0, qPrintable(result.stdErr));
        }
        QVERIFY(QFile::remove(at("r2/merged.safetensors")));
    }

    // An adapter folder we wrote is replaced whole, and PEFT's checkpoint-100/ in it stays.
    void ourFolderIsReplaced() {
        QTemporaryDir tmp;
        const QString dir = tmp.filePath("adapter");
        QVERIFY(QDir().mkpath(dir + "/checkpoint-100"));
        QFile config(dir + "/adapter_config.json");
        QVERIFY(config.open(QIODevice::WriteOnly));
        config.write("{}");
        config.close();
        QVERIFY(::chmod(QFile::encodeName(dir).constData(), 0750) == 0);
        const auto run = runCli({"finetune", "--base", at("base.safetensors"), "--classes", "3,4",
                                 "--rank", "1", "--max-steps", "2", "--out", dir});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QCOMPARE(
            QDir(dir).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
            (QStringList{"adapter_config.json", "adapter_model.safetensors", "checkpoint-100"}));
        QVERIFY(QFile(dir + "/adapter_config.json").size() > 2);
        struct stat st {};
        QVERIFY(::stat(QFile::encodeName(dir).constData(), &st) == 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0750));
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot),
                 QStringList{"adapter"});
    }
};

QTEST_GUILESS_MAIN(TestCliOutputs)
#include "tst_cli_outputs.moc"
