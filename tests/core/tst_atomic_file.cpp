// writeFileAtomic: the target holds either the old or the new bytes, never a mix, and no
// temporary file survives a success or a failure.
#include "io/atomic_file.h"
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
                 "cannot write " + path("d") + ": Is a directory");
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
