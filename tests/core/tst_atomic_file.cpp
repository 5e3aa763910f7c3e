// writeFileAtomic and writeDirectoryAtomic: the target holds either the old or the new bytes,
// never a mix — even when the writing process is killed mid-write (a forked writer, SIGKILL)
// — and no temporary file survives a success or a failure.
#include "io/atomic_file.h"
#include "io/input_gate.h"
#include "util/error.h"

#include "error_of.h"
#include <QTemporaryDir>

#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include <csignal>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace lora;
using lora::test::errorOf;
using lora::test::qErrorOf;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

using Files = std::vector<std::pair<std::string, std::vector<std::uint8_t>>>;

// Two versions of an adapter-like folder whose files must stay matched.
Files version(char tag, std::size_t size) {
    return {{"adapter_model.safetensors", std::vector<std::uint8_t>(size, std::uint8_t(tag))},
            {"adapter_config.json", std::vector<std::uint8_t>(100, std::uint8_t(tag))}};
}

// Forks a child that rewrites `write(k)` for k = 0, 1, 2, … until killed, and kills it after
// `delayUs`. Returns false if the child ended by itself.
bool killWriterAfter(const std::function<void(int)>& write, int delayUs) {
    const pid_t child = ::fork();
    if (child == 0) {
        for (int k = 0;; ++k) write(k);
    }
    ::usleep(static_cast<useconds_t>(delayUs));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

} // namespace

class TestAtomicFile : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_tmp;
    std::string path(const std::string& name) const {
        return m_tmp.path().toStdString() + "/" + name;
    }

private slots:
    void init() { QVERIFY(m_tmp.isValid()); }
    void cleanup() {
        for (const auto& e : fs::directory_iterator(m_tmp.path().toStdString()))
            fs::remove_all(e.path());
    }

    void writesBytesAndText() {
        const std::vector<std::uint8_t> bytes = {0, 1, 2, 255, 0, 10};
        writeFileAtomic(path("a.bin"), bytes);
        QCOMPARE(readFileBytes(path("a.bin")), bytes);
        writeFileAtomic(path("b.txt"), std::string("hello\n"));
        QCOMPARE(slurp(path("b.txt")), std::string("hello\n"));
        writeFileAtomic(path("empty"), std::string());
        QVERIFY(readFileBytes(path("empty")).empty());
        QCOMPARE(entries(m_tmp.path().toStdString()),
                 (std::vector<std::string>{"a.bin", "b.txt", "empty"}));
    }

    void overwriteReplacesByRename() {
        writeFileAtomic(path("f"), std::string("old content"));
        // A reader holding the old file keeps seeing the old bytes: the new content arrives
        // as a new inode renamed over the name, not by truncating the file in place.
        std::ifstream reader(path("f"), std::ios::binary);
        QVERIFY(reader.is_open());
        writeFileAtomic(path("f"), std::string("new"));
        const std::string seen{std::istreambuf_iterator<char>(reader), {}};
        QCOMPARE(seen, std::string("old content"));
        QCOMPARE(slurp(path("f")), std::string("new"));
        QCOMPARE(entries(m_tmp.path().toStdString()), std::vector<std::string>{"f"});
    }

    void missingDirectoryThrowsAndLeavesNothing() {
        const std::string target = path("nope/sub/f.bin");
        QCOMPARE(errorOf([&] { writeFileAtomic(target, std::string("x")); }),
                 "cannot write " + target + ": No such file or directory");
        QVERIFY(!fs::exists(path("nope")));
        QVERIFY(entries(m_tmp.path().toStdString()).empty());
    }

    void failedRenameRemovesTemp() {
        // Renaming a file over a non-empty directory fails after the data was written.
        fs::create_directory(path("d"));
        writeFileAtomic(path("d/keep"), std::string("kept"));
        QCOMPARE(errorOf([&] { writeFileAtomic(path("d"), std::string("x")); }),
                 "cannot write " + path("d") +
                     ": it is a folder, and only a regular file is "
                     "replaced");
        QCOMPARE(entries(m_tmp.path().toStdString()), std::vector<std::string>{"d"});
        QCOMPARE(slurp(path("d/keep")), std::string("kept"));
    }

    void concurrentWritersNeverMix() {
        std::vector<std::thread> threads;
        std::vector<std::string> contents;
        for (int i = 0; i < 8; ++i) contents.push_back(std::string(100000, char('a' + i)));
        for (int i = 0; i < 8; ++i)
            threads.emplace_back([&, i] {
                for (int k = 0; k < 5; ++k) writeFileAtomic(path("shared"), contents[i]);
            });
        for (auto& t : threads) t.join();
        const std::string final = slurp(path("shared"));
        QVERIFY(std::find(contents.begin(), contents.end(), final) != contents.end());
        QCOMPARE(entries(m_tmp.path().toStdString()), std::vector<std::string>{"shared"});
    }

    // 30 kills at spread-out moments of a 4 MB write: the file is always one whole version.
    void killedWriterLeavesOldOrNewFile() {
        const std::string a(4 << 20, 'a'), b(4 << 20, 'b');
        writeFileAtomic(path("model.safetensors"), a);
        for (int i = 0; i < 30; ++i) {
            QVERIFY(killWriterAfter(
                [&](int k) { writeFileAtomic(path("model.safetensors"), k % 2 ? a : b); },
                500 + 997 * i % 20000));
            const std::string now = slurp(path("model.safetensors"));
            QVERIFY2(now == a || now == b,
                     qPrintable(QString("kill %1: %2 bytes").arg(i).arg(now.size())));
        }
    }

    // The same for an adapter folder: weights and config always come from the same version.
    void killedWriterLeavesOldOrNewFolder() {
        const std::string dir = path("adapter");
        const Files a = version('a', 2 << 20), b = version('b', 2 << 20);
        writeDirectoryAtomic(dir, a);
        writeFileAtomic(dir + "/README.md", std::string("kept")); // not ours: must survive
        for (int i = 0; i < 30; ++i) {
            QVERIFY(killWriterAfter([&](int k) { writeDirectoryAtomic(dir, k % 2 ? a : b); },
                                    500 + 997 * i % 20000));
            const std::string weights = slurp(dir + "/adapter_model.safetensors");
            const std::string config = slurp(dir + "/adapter_config.json");
            QCOMPARE(weights.size(), std::size_t(2 << 20));
            QCOMPARE(config.size(), std::size_t(100));
            QVERIFY2(weights.front() == config.front() &&
                         weights.find_first_not_of(weights.front()) == std::string::npos,
                     qPrintable(QString("kill %1 mixed versions").arg(i)));
            QCOMPARE(slurp(dir + "/README.md"), std::string("kept"));
        }
    }

    void folderWriteKeepsOtherFilesAndLeavesNoTemp() {
        const std::string dir = path("adapter");
        writeDirectoryAtomic(dir, version('a', 10));
        writeFileAtomic(dir + "/notes.txt", std::string("mine"));
        writeDirectoryAtomic(dir, version('b', 20));
        QCOMPARE(entries(dir),
                 (std::vector<std::string>{"adapter_config.json", "adapter_model.safetensors",
                                           "notes.txt"}));
        QCOMPARE(slurp(dir + "/adapter_model.safetensors"), std::string(20, 'b'));
        QCOMPARE(slurp(dir + "/notes.txt"), std::string("mine"));
        QCOMPARE(entries(m_tmp.path().toStdString()), std::vector<std::string>{"adapter"});
        // A file where the folder should be: refused, the file untouched.
        writeFileAtomic(path("plain"), std::string("x"));
        QCOMPARE(qErrorOf([&] { writeDirectoryAtomic(path("plain"), version('c', 5)); }),
                 QString::fromStdString("cannot write " + path("plain") +
                                        ": it is a file, not a folder LoRA Explorer wrote"));
        QCOMPARE(slurp(path("plain")), std::string("x"));
    }

    // What a write did not make is never replaced: each row puts something at the target,
    // then a file write and a folder write are both refused with one line, and the thing
    // is still there, unchanged, with nothing beside it.
    void refusesWhatItDidNotWrite_data() {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("fileError");
        QTest::addColumn<QString>("folderError");
        const QString onlyFile = ": it is %1, and only a regular file is replaced";
        const QString notOurs = ": it is %1, not a folder LoRA Explorer wrote";
        for (const char* kind : {"device", "FIFO", "socket"})
            QTest::newRow(kind) << QString(kind) << onlyFile.arg(QString("a ") + kind)
                                << notOurs.arg(QString("a ") + kind);
        QTest::newRow("symlink to a file")
            << "link-file" << onlyFile.arg("a symbolic link") << notOurs.arg("a symbolic link");
        QTest::newRow("symlink to a folder")
            << "link-folder" << onlyFile.arg("a symbolic link") << notOurs.arg("a symbolic link");
        QTest::newRow("foreign folder")
            << "folder" << onlyFile.arg("a folder")
            << QString(": it is a folder LoRA Explorer did not write (no adapter_config.json); "
                       "choose a new or empty folder");
    }
    void refusesWhatItDidNotWrite() {
        QFETCH(QString, kind);
        QFETCH(QString, fileError);
        QFETCH(QString, folderError);
        const std::string target = path("target");
        fs::create_directory(path("elsewhere"));
        writeFileAtomic(path("elsewhere/theirs"), std::string("theirs"));
        if (kind == "device") // a clone of /dev/null: replacing it is what root must not do
            QVERIFY(::mknod(target.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0);
        else if (kind == "FIFO")
            QVERIFY(::mkfifo(target.c_str(), 0600) == 0);
        else if (kind == "socket")
            QVERIFY(::mknod(target.c_str(), S_IFSOCK | 0600, 0) == 0);
        else if (kind == "link-file")
            fs::create_symlink(path("elsewhere/theirs"), target);
        else if (kind == "link-folder")
            fs::create_symlink(path("elsewhere"), target);
        else
            fs::create_directory(target), fs::permissions(target, fs::perms::owner_all),
                writeFileAtomic(target + "/notes.txt", std::string("mine"));
        struct stat before {};
        QVERIFY(::lstat(target.c_str(), &before) == 0);

        QCOMPARE(qErrorOf([&] { writeFileAtomic(target, std::string("x")); }),
                 QString::fromStdString("cannot write " + target) + fileError);
        QCOMPARE(qErrorOf([&] { writeDirectoryAtomic(target, version('a', 10)); }),
                 QString::fromStdString("cannot write " + target) + folderError);

        struct stat after {};
        QVERIFY(::lstat(target.c_str(), &after) == 0);
        QCOMPARE(after.st_ino, before.st_ino);
        QCOMPARE(after.st_mode, before.st_mode);
        QCOMPARE(entries(m_tmp.path().toStdString()),
                 (std::vector<std::string>{"elsewhere", "target"}));
        QCOMPARE(entries(path("elsewhere")), std::vector<std::string>{"theirs"});
        QCOMPARE(slurp(path("elsewhere/theirs")), std::string("theirs"));
    }

    // PEFT's checkpoint-100/ inside an adapter folder no longer forces a file-by-file write:
    // the kills still find one whole version, the sub-folder kept, and no temporaries stay
    // once the next write has run.
    void folderWithSubFolderSwappedAtomically() {
        const std::string dir = path("adapter");
        const Files a = version('a', 1 << 20), b = version('b', 1 << 20);
        writeDirectoryAtomic(dir, a);
        fs::create_directories(dir + "/checkpoint-100/deep");
        writeFileAtomic(dir + "/checkpoint-100/deep/optimizer.pt", std::string("state"));
        for (int i = 0; i < 20; ++i) {
            QVERIFY(killWriterAfter([&](int k) { writeDirectoryAtomic(dir, k % 2 ? a : b); },
                                    300 + 1499 * i % 15000));
            const std::string weights = slurp(dir + "/adapter_model.safetensors");
            const std::string config = slurp(dir + "/adapter_config.json");
            QCOMPARE(weights.size(), std::size_t(1 << 20));
            QVERIFY2(weights.front() == config.front(),
                     qPrintable(QString("kill %1 mixed versions").arg(i)));
            QCOMPARE(slurp(dir + "/checkpoint-100/deep/optimizer.pt"), std::string("state"));
        }
        writeDirectoryAtomic(dir, a);
        QCOMPARE(entries(m_tmp.path().toStdString()), std::vector<std::string>{"adapter"});
        QCOMPARE(entries(dir),
                 (std::vector<std::string>{"adapter_config.json", "adapter_model.safetensors",
                                           "checkpoint-100"}));
    }

    void folderKeepsItsMode() {
        const std::string dir = path("adapter");
        writeDirectoryAtomic(dir, version('a', 10));
        ::chmod(dir.c_str(), 0700);
        writeDirectoryAtomic(dir, version('c', 10));
        struct stat st {};
        QVERIFY(::stat(dir.c_str(), &st) == 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0700));
        fs::create_directory(dir + "/private"); // carried across with its own mode
        ::chmod((dir + "/private").c_str(), 0750);
        writeDirectoryAtomic(dir, version('b', 10));
        QVERIFY(::stat(dir.c_str(), &st) == 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0700));
        QVERIFY(::stat((dir + "/private").c_str(), &st) == 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0750));
        QCOMPARE(slurp(dir + "/adapter_config.json"), std::string(100, 'b'));
    }

    // Temporaries of a writer that is gone go on the next write beside them; a live writer's,
    // and names that merely look alike, stay. An old folder moved aside comes back.
    void staleTempsCleaned() {
        const pid_t dead = ::fork();
        if (dead == 0) ::_exit(0);
        ::waitpid(dead, nullptr, 0);
        const std::string d = std::to_string(dead);
        writeFileAtomic(path("f.lora-tmp-" + d + "-3"), std::string("half"));
        fs::create_directories(path("adapter.lora-tmp-" + d + "-0/checkpoint-1"));
        fs::create_directories(path("gone.lora-old-" + d + "-7"));
        writeFileAtomic(path("gone.lora-old-" + d + "-7/adapter_config.json"), std::string("old"));
        const std::string live = "g.lora-tmp-" + std::to_string(::getpid()) + "-99999";
        writeFileAtomic(path(live), std::string("busy"));
        writeFileAtomic(path("notes.lora-tmp-x-1"), std::string("mine"));
        writeFileAtomic(path("f"), std::string("new"));
        QCOMPARE(entries(m_tmp.path().toStdString()),
                 (std::vector<std::string>{"f", live, "gone", "notes.lora-tmp-x-1"}));
        QCOMPARE(slurp(path("gone/adapter_config.json")), std::string("old"));
    }

    void readErrorsNameThePath() {
        QCOMPARE(errorOf([&] { readFileBytes(path("missing")); }),
                 "cannot open " + path("missing") + ": No such file or directory");
        fs::create_directory(path("dir"));
        QCOMPARE(errorOf([&] { readFileBytes(path("dir")); }),
                 "cannot read " + path("dir") + ": Is a directory");
    }
};

QTEST_APPLESS_MAIN(TestAtomicFile)
#include "tst_atomic_file.moc"
