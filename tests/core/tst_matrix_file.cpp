// Matrices from text (numpy.savetxt style) and from safetensors: exact values, and a precise
// one-line message for everything malformed.
#include "error_of.h"
#include "io/atomic_file.h"
#include "io/matrix_file.h"
#include "io/safetensors.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <limits>

using lora::Matrix;
using lora::test::qErrorOf;

class TestMatrixFile : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private slots:
    void parsesSeparators_data() {
        QTest::addColumn<QString>("text");
        QTest::addRow("commas") << "1,2\n2,4\n";
        QTest::addRow("spaces and tabs") << "1 2\n2\t4";
        QTest::addRow("semicolons, CRLF") << "1;2\r\n2;4\r\n";
        QTest::addRow("savetxt exponent") << "1.000000000000000000e+00 2.000000000000000000e+00\n"
                                             "2.000000000000000000e+00 4.000000000000000000e+00\n";
        QTest::addRow("comments and blanks") << "# W\n\n1, 2  # first\n   \n2, 4\n";
        QTest::addRow("CR only (old Mac)") << "1 2\r2 4\r";
        QTest::addRow("mixed line ends") << "1 2\r\n\r2 4\n";
        QTest::addRow("plus signs") << "+1 +2e0\n2 4";
    }
    void parsesSeparators() {
        QFETCH(QString, text);
        const Matrix m = lora::parseMatrixText(text.toStdString(), "m");
        Matrix expected(2, 2);
        expected << 1, 2, 2, 4;
        QCOMPARE(m.rows(), 2);
        QCOMPARE(m.cols(), 2);
        QVERIFY(m == expected);
    }

    void rowVectorAndColumn() {
        QCOMPARE(lora::parseMatrixText("1 2 3", "m").cols(), 3);
        QCOMPARE(lora::parseMatrixText("1\n2\n3\n", "m").rows(), 3);
        QCOMPARE(lora::parseMatrixText("-1.5e-3", "m")(0, 0), -1.5e-3f);
    }

    // Subnormal floats are ordinary numbers; what is too small even for them rounds to ±0,
    // as it does in numpy. Only what would be Inf is refused.
    void smallNumbersAreNumbers() {
        const Matrix m = lora::parseMatrixText("1e-45 -1e-40 1e-46 -1e-400 3.4e38", "m");
        QCOMPARE(m(0, 0), std::numeric_limits<float>::denorm_min());
        QCOMPARE(m(0, 1), -1e-40f);
        QCOMPARE(m(0, 2), 0.0f);
        QVERIFY(m(0, 3) == 0.0f && std::signbit(m(0, 3)));
        QCOMPARE(m(0, 4), 3.4e38f);
    }

    void rejectsBadText_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("message");
        QTest::addRow("empty") << ""
                               << "m: no numbers found";
        QTest::addRow("only comments") << "# nothing\n"
                                       << "m: no numbers found";
        QTest::addRow("ragged") << "1 2 3\n4 5\n"
                                << "m: line 2 has 2 values but the first row has 3";
        QTest::addRow("word") << "1 2\n3 x\n"
                              << "m: line 2: 'x' is not a number";
        QTest::addRow("trailing junk") << "1 2abc"
                                       << "m: line 1: '2abc' is not a number";
        QTest::addRow("nan") << "1 nan"
                             << "m: line 1: 'nan' is not a finite float";
        QTest::addRow("inf") << "inf 1"
                             << "m: line 1: 'inf' is not a finite float";
        QTest::addRow("overflow") << "1e39"
                                  << "m: line 1: '1e39' is not a finite float";
        QTest::addRow("double overflow") << "1 -1e400"
                                         << "m: line 1: '-1e400' is not a finite float";
        QTest::addRow("huge digits")
            << "1" + QString(400, '0') << "m: line 1: a 401-byte token is not a finite float";
        QTest::addRow("long word")
            << QString(5000, 'x') << "m: line 1: a 5000-byte token is not a number";
        QTest::addRow("two signs") << "+-1"
                                   << "m: line 1: '+-1' is not a number";
        QTest::addRow("CR line numbers") << "1 2\r3 x"
                                         << "m: line 2: 'x' is not a number";
        QTest::addRow("form feed") << "1 2\n3\f4"
                                   << "m: line 2 holds control byte 0x0c; not a text matrix";
        QTest::addRow("NUL in a comment") << QString::fromLatin1("# a\0b\n1", 7)
                                          << "m: line 1 holds control byte 0x00; not a text matrix";
    }
    void rejectsBadText() {
        QFETCH(QString, text);
        QFETCH(QString, message);
        QCOMPARE(qErrorOf([&] { lora::parseMatrixText(text.toStdString(), "m"); }), message);
    }

    // QString drops nothing, but a char literal would stop at the NUL: build the bytes.
    void nulDoesNotHideTheRest() {
        const std::string text("1\0junk 2", 9);
        QCOMPARE(qErrorOf([&] { lora::parseMatrixText(text, "m"); }),
                 "m: line 1 holds control byte 0x00; not a text matrix");
        lora::writeFileAtomic(path("nul.txt"), text);
        QCOMPARE(qErrorOf([&] { lora::readMatrixFile(path("nul.txt")); }),
                 QString::fromStdString(path("nul.txt")) +
                     ": line 1 holds control byte 0x00; not a text matrix");
    }

    void readsTextFile() {
        lora::writeFileAtomic(path("w.txt"), std::string("1 2\n3 4\n"));
        const Matrix m = lora::readMatrixFile(path("w.txt"));
        QCOMPARE(m(1, 0), 3.0f);
        QCOMPARE(qErrorOf([&] { lora::readMatrixFile(path("w.txt"), "W"); }),
                 QString::fromStdString(path("w.txt")) +
                     ": a tensor name only applies to .safetensors files");
        QVERIFY(
            qErrorOf([&] { lora::readMatrixFile(path("missing.txt")); }).startsWith("cannot open"));
    }

    void readsSafetensors() {
        lora::SafetensorsFile file;
        file.tensors.push_back({"bias", {3}, {1, 2, 3}});
        file.tensors.push_back({"weight", {2, 3}, {1, 2, 3, 4, 5, 6}});
        lora::writeSafetensors(path("one.safetensors"), file);
        Matrix m = lora::readMatrixFile(path("one.safetensors"));
        QCOMPARE(m.rows(), 2);
        QCOMPARE(m.cols(), 3);
        QCOMPARE(m(1, 2), 6.0f); // row-major, as torch stores [out, in]
        QCOMPARE(lora::readMatrixFile(path("one.safetensors"), "weight")(0, 1), 2.0f);

        const QString p = QString::fromStdString(path("one.safetensors"));
        QCOMPARE(qErrorOf([&] { lora::readMatrixFile(path("one.safetensors"), "bias"); }),
                 p + ": tensor 'bias' is not 2-D");
        QCOMPARE(qErrorOf([&] { lora::readMatrixFile(path("one.safetensors"), "W"); }),
                 p + ": no tensor named 'W'");

        file.tensors.push_back({"other", {1, 1}, {7}});
        lora::writeSafetensors(path("two.safetensors"), file);
        QCOMPARE(qErrorOf([&] { lora::readMatrixFile(path("two.safetensors")); }),
                 QString::fromStdString(path("two.safetensors")) +
                     ": several 2-D tensors ('weight', 'other', …); name one");

        lora::SafetensorsFile bad;
        bad.tensors.push_back({"w", {1, 2}, {1.0f, std::numeric_limits<float>::infinity()}});
        lora::writeSafetensors(path("inf.safetensors"), bad);
        QCOMPARE(qErrorOf([&] { lora::readMatrixFile(path("inf.safetensors")); }),
                 QString::fromStdString(path("inf.safetensors")) +
                     ": tensor 'w' has a non-finite value");
    }
};

QTEST_APPLESS_MAIN(TestMatrixFile)
#include "tst_matrix_file.moc"
