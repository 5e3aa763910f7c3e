// Every message a user is shown is one printable line of bounded length, whatever bytes the
// file it names held: InputError passes its text through oneLine.
#include "util/error.h"

#include <QtTest>

#include <new>
#include <stdexcept>

using namespace lora;

namespace {

std::size_t characters(const std::string& s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xc0) != 0x80;
    return n;
}

} // namespace

class TestError : public QObject {
    Q_OBJECT
private slots:
    void oneLine_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("plain") << QByteArray("cannot open x") << QByteArray("cannot open x");
        QTest::newRow("newlines and tabs") << QByteArray("a\nb\r\nc\td") << QByteArray("a b  c d");
        QTest::newRow("NUL and DEL") << QByteArray("a\0b\x7f"
                                                   "c",
                                                   5)
                                     << QByteArray("a b c");
        QTest::newRow("trailing newline") << QByteArray("text\n") << QByteArray("text");
        QTest::newRow("UTF-8 kept") << QByteArray("≥ 1 · α/r") << QByteArray("≥ 1 · α/r");
        QTest::newRow("stray bytes") << QByteArray("a\xff\xfe b") << QByteArray("a?? b");
        QTest::newRow("overlong slash") << QByteArray("\xc0\xaf") << QByteArray("??");
        QTest::newRow("surrogate") << QByteArray("\xed\xa0\x80") << QByteArray("???");
        QTest::newRow("cut multibyte at end") << QByteArray("ab\xe2\x89") << QByteArray("ab??");
    }
    void oneLine() {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, line);
        QCOMPARE(QByteArray::fromStdString(lora::oneLine(text.toStdString())), line);
    }

    void longTextsAreCut_data() {
        QTest::addColumn<QByteArray>("unit");
        QTest::newRow("ascii") << QByteArray("x");
        QTest::newRow("two-byte") << QByteArray("é");
        QTest::newRow("three-byte") << QByteArray("≥");
        QTest::newRow("four-byte") << QByteArray("😀");
        QTest::newRow("stray") << QByteArray("\xff");
    }
    void longTextsAreCut() {
        QFETCH(QByteArray, unit);
        // A 20 MB metadata value, as a message: cut to 300 characters, the last one "…".
        const std::string huge = unit.repeated(20'000'000 / unit.size()).toStdString();
        const std::string line = lora::oneLine(huge);
        QCOMPARE(characters(line), kMaxMessageChars);
        QVERIFY(line.size() <= 4 * kMaxMessageChars);
        QVERIFY(line.ends_with("…"));
        // Exactly at the limit: nothing is cut.
        const std::string exact = unit.repeated(kMaxMessageChars).toStdString();
        QVERIFY(!lora::oneLine(exact).ends_with("…"));
        QCOMPARE(characters(lora::oneLine(exact)), kMaxMessageChars);
    }

    void inputErrorLeavesRoomForAPrefix() {
        const InputError e(std::string(1000, 'x') + "\n" + std::string(1000, 'y'));
        const std::string what = e.what();
        QCOMPARE(characters(what), kMaxErrorChars);
        QVERIFY(what.find('\n') == std::string::npos);
        QVERIFY(characters("lora-cli: " + what) <= kMaxMessageChars);
    }

    void errorTextOfOtherExceptions() {
        QCOMPARE(errorText(std::bad_alloc()),
                 std::string("out of memory: the input is too large for the memory available"));
        QCOMPARE(errorText(std::runtime_error("two\nlines")), std::string("two lines"));
        QCOMPARE(errorText(InputError("as it was")), std::string("as it was"));
    }

    void quotedNames() {
        QCOMPARE(quotedName("fc1.lora_A.weight"), std::string("'fc1.lora_A.weight'"));
        const std::string q = quotedName(std::string(5000, 'k'));
        QCOMPARE(characters(q), kMaxQuotedChars + 2);
        QVERIFY(q.ends_with("…'"));
    }
};

QTEST_APPLESS_MAIN(TestError)
#include "tst_error.moc"
