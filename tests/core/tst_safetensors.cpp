// safetensors encode/decode: exact bytes, dtype widening and one precise message per defect.
#include "io/safetensors.h"
#include "util/error.h"

#include "error_of.h"
#include <QTemporaryDir>

#include <QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>

using namespace lora;
using lora::test::errorOf;
using lora::test::qErrorOf;

namespace {

using Bytes = std::vector<std::uint8_t>;

// A file from a literal header and `dataBytes` zero bytes; the header is used unpadded so
// every row controls exactly what the parser sees.
QByteArray rawFile(const std::string& header, std::size_t dataBytes, std::uint64_t length = ~0ull) {
    if (length == ~0ull) length = header.size();
    QByteArray out;
    for (int i = 0; i < 8; ++i) out.append(char(length >> (8 * i)));
    out.append(header.data(), qsizetype(header.size()));
    out.append(QByteArray(qsizetype(dataBytes), '\0'));
    return out;
}

Bytes toBytes(const QByteArray& a) {
    return Bytes(a.begin(), a.end());
}

std::uint32_t bitsOf(float f) {
    std::uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

SafetensorsFile sample() {
    SafetensorsFile f;
    f.metadata = {{"format", "pt"}, {"note", "ünïcode, \"quotes\""}};
    f.tensors.push_back({"fc1.weight", {2, 3}, {1.0f, -0.0f, 3.5f, 1e-40f, -7.25f, 0.1f}});
    f.tensors.push_back({"fc1.bias", {2}, {std::numeric_limits<float>::infinity(), -1e30f}});
    f.tensors.push_back({"empty", {0, 4}, {}});
    f.tensors.push_back({"scalar", {}, {42.0f}});
    return f;
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private slots:
    void roundTripIsExact() {
        const SafetensorsFile in = sample();
        const Bytes bytes = encodeSafetensors(in);
        QCOMPARE(bytes[0] % 8, 0); // header padded: tensor data stays 8-byte aligned
        const SafetensorsFile out = decodeSafetensors(bytes, "mem");
        QCOMPARE(out.metadata, in.metadata);
        QCOMPARE(out.tensors.size(), in.tensors.size());
        for (std::size_t i = 0; i < in.tensors.size(); ++i) {
            QCOMPARE(out.tensors[i].name, in.tensors[i].name);
            QCOMPARE(out.tensors[i].shape, in.tensors[i].shape);
            QCOMPARE(out.tensors[i].data.size(), in.tensors[i].data.size());
            for (std::size_t k = 0; k < in.tensors[i].data.size(); ++k)
                QCOMPARE(bitsOf(out.tensors[i].data[k]), bitsOf(in.tensors[i].data[k]));
        }
        QCOMPARE(encodeSafetensors(out), bytes);
        QVERIFY(out.find("fc1.bias") == &out.tensors[1]);
        QVERIFY(out.find("nope") == nullptr);
    }

    void goldenBytes() {
        SafetensorsFile f;
        f.metadata = {{"k", "v"}};
        f.tensors.push_back({"w", {2}, {1.0f, -2.0f}});
        f.tensors.push_back({"b", {1, 1}, {0.5f}});
        const std::string header =
            R"({"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
            R"("b":{"dtype":"F32","shape":[1,1],"data_offsets":[8,12]}} )"; // 135 + 1 pad = 136
        Bytes expected = {0x88, 0, 0, 0, 0, 0, 0, 0};
        for (char c : header) expected.push_back(std::uint8_t(c));
        for (std::uint8_t b :
             {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x3f})
            expected.push_back(b);
        QCOMPARE(encodeSafetensors(f), expected);
    }

    void emptyFile() {
        const Bytes bytes = encodeSafetensors({});
        QCOMPARE(bytes, (Bytes{8, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' ', ' ', ' ', ' ', ' '}));
        const SafetensorsFile f = decodeSafetensors(bytes, "mem");
        QVERIFY(f.tensors.empty());
        QVERIFY(f.metadata.empty());
    }

    void tensorsComeBackInOffsetOrder() {
        const auto bytes =
            toBytes(rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},)"
                            R"("b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                            8));
        const SafetensorsFile f = decodeSafetensors(bytes, "mem");
        QCOMPARE(f.tensors.size(), std::size_t(2));
        QCOMPARE(f.tensors[0].name, std::string("b"));
        QCOMPARE(f.tensors[1].name, std::string("a"));
    }

    void halfPrecisionIsWidened() {
        // F16: 1.0, -2.5, 65504 (max), 2^-24 (smallest subnormal), -inf. BF16: 1.0, -2.5, max.
        QByteArray file = rawFile(R"({"h":{"dtype":"F16","shape":[5],"data_offsets":[0,10]},)"
                                  R"("b":{"dtype":"BF16","shape":[3],"data_offsets":[10,16]}})",
                                  0);
        for (std::uint16_t v : {0x3c00, 0xc100, 0x7bff, 0x0001, 0xfc00, 0x3f80, 0xc020, 0x7f7f}) {
            file.append(char(v & 0xff));
            file.append(char(v >> 8));
        }
        const SafetensorsFile f = decodeSafetensors(toBytes(file), "mem");
        QCOMPARE(f.tensors[0].data,
                 (std::vector<float>{1.0f, -2.5f, 65504.0f, std::ldexp(1.0f, -24),
                                     -std::numeric_limits<float>::infinity()}));
        QCOMPARE(f.tensors[1].data, (std::vector<float>{1.0f, -2.5f, 3.3895314e38f}));
    }

    void malformed_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        const std::string x1 = R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
        QTest::newRow("too short")
            << QByteArray(4, '\0') << "4 bytes is too short for a safetensors file";
        QTest::newRow("header over limit")
            << rawFile("{}", 0, (32 << 20) + 1)
            << "not a safetensors file (its header length is over the 32 MiB limit)";
        QTest::newRow("header past end")
            << rawFile("{}", 0, 64)
            << "not a safetensors file (its header length runs past the end of the 10-byte file)";
        QTest::newRow("huge length")
            << rawFile("{}", 0, ~0ull - 1)
            << "not a safetensors file (its header length is over the 32 MiB limit)";
        QTest::newRow("not json") << rawFile("{nope", 0)
                                  << "header is not valid JSON (error at byte 3)";
        QTest::newRow("empty header")
            << rawFile("", 0) << "header does not start with '{' (not a safetensors file)";
        QTest::newRow("not object")
            << rawFile("[1,2]", 0) << "header does not start with '{' (not a safetensors file)";
        QTest::newRow("metadata not object")
            << rawFile(R"({"__metadata__":["a"]})", 0) << "__metadata__ is not an object";
        QTest::newRow("metadata non-string") << rawFile(R"({"__metadata__":{"a":"b","n":1}})", 0)
                                             << "__metadata__ value for 'n' is not a string";
        QTest::newRow("tensor not object")
            << rawFile(R"({"x":[0,4]})", 0) << "tensor 'x' is not an object";
        QTest::newRow("no dtype") << rawFile(R"({"x":{"shape":[1],"data_offsets":[0,4]}})", 4)
                                  << "tensor 'x' has no dtype string";
        QTest::newRow("dtype I64")
            << rawFile(R"({"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})", 8)
            << "tensor 'x' has dtype 'I64'; only F32, F16 and BF16 are supported";
        QTest::newRow("dtype F64")
            << rawFile(R"({"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})", 8)
            << "tensor 'x' has dtype 'F64'; only F32, F16 and BF16 are supported";
        QTest::newRow("no shape") << rawFile(R"({"x":{"dtype":"F32","data_offsets":[0,4]}})", 4)
                                  << "tensor 'x' has no shape array";
        QTest::newRow("negative dim")
            << rawFile(R"({"x":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)
            << "tensor 'x' has a shape entry that is not a non-negative integer";
        QTest::newRow("fractional dim")
            << rawFile(R"({"x":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}})", 4)
            << "tensor 'x' has a shape entry that is not a non-negative integer";
        QTest::newRow("numel overflow")
            << rawFile(
                   R"({"x":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})",
                   4)
            << "tensor 'x' has shape [4294967296,4294967296] with too many elements";
        QTest::newRow("offsets malformed")
            << rawFile(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", 4)
            << "tensor 'x' has malformed data_offsets (expected [begin, end])";
        QTest::newRow("end before begin")
            << rawFile(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", 8)
            << "tensor 'x' has data_offsets [8,4] with end before begin";
        QTest::newRow("size mismatch")
            << rawFile(R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", 4)
            << "tensor 'x' has 4 bytes of data but shape [2] of F32 needs 8";
        QTest::newRow("not starting at 0")
            << rawFile(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", 8)
            << "first tensor 'x' starts at byte 4, not 0";
        QTest::newRow("gap") << rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                                        12)
                             << "gap of 4 bytes before tensor 'b'";
        QTest::newRow("overlap") << rawFile(
                                        R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                                        8)
                                 << "tensor 'b' overlaps tensor 'a'";
        QTest::newRow("trailing bytes")
            << rawFile(x1, 8) << "4 trailing bytes after the last tensor";
        QTest::newRow("truncated data")
            << rawFile(x1, 2) << "data is truncated (tensors need 4 bytes, file has 2)";
    }

    void strictHeaders_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::newRow("duplicate tensor")
            << rawFile(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                       R"("x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                       8)
            << "header has duplicate key 'x'";
        QTest::newRow("duplicate metadata key")
            << rawFile(R"({"__metadata__":{"k":"1","k":"2"}})", 0)
            << "header has duplicate key 'k'";
        // The reference reader's rules: no byte-order mark, no NUL (which ended the header for
        // the JSON parser, so that `{…}\0junk` loaded), only whitespace after the object.
        QTest::newRow("byte-order mark")
            << rawFile("\xef\xbb\xbf{}", 0)
            << "header does not start with '{' (not a safetensors file)";
        QTest::newRow("NUL after the object")
            << rawFile(std::string("{}\0junk", 7), 0) << "header holds a NUL byte";
        QTest::newRow("junk after the object")
            << rawFile("{}  x", 0) << "header is not valid JSON (error at byte 5)";
    }
    void strictHeaders() { malformed(); }

    void malformed() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        QCOMPARE(
            QString::fromStdString(errorOf([&] { decodeSafetensors(toBytes(bytes), "t.st"); })),
            "t.st: " + message);
    }

    // Headers built to cost: each is refused by the one linear pass of json_limits.h before a
    // DOM exists (80,000 empty entries took ~40 s through nlohmann's callback parser).
    void hostileHeaders_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        auto joined = [](int n, const std::function<std::string(int)>& item) {
            std::string s;
            for (int i = 0; i < n; ++i) s += (i ? "," : "") + item(i);
            return s;
        };
        QTest::newRow("nested 9 deep")
            << rawFile(R"({"a":[[[[[[[[0]]]]]]]]})", 0) << "header nests deeper than 8 levels";
        QTest::newRow("100,001 entries")
            << rawFile(
                   "{" + joined(100001, [](int i) { return "\"k" + std::to_string(i) + "\":0"; }) +
                       "}",
                   0)
            << "header has more than 100000 entries";
        QTest::newRow("2,000,001 values")
            << rawFile(R"({"a":[)" + joined(2000000, [](int) { return std::string("0"); }) + "]}",
                       0)
            << "header has more than 2000000 values";
        QTest::newRow("80,000 empty entries")
            << rawFile(
                   "{" + joined(80000, [](int i) { return "\"k" + std::to_string(i) + "\":{}"; }) +
                       "}",
                   0)
            << "tensor 'k0' has no dtype string";
        const std::string longKey(100, 'q');
        QTest::newRow("long duplicate key cut")
            << rawFile("{\"" + longKey + "\":0,\"" + longKey + "\":0}", 0)
            << "header has duplicate key '" + QString(60, 'q') + "'";
    }
    void hostileHeaders() { malformed(); }

    void sameKeyInDifferentObjectsIsFine() {
        const auto bytes = toBytes(rawFile(
            R"({"__metadata__":{"x":"1"},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
            4));
        QCOMPARE(decodeSafetensors(bytes, "mem").tensors.size(), std::size_t(1));
    }

    void fileRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/m.safetensors";
        QCOMPARE(QString::fromStdString(errorOf([&] { readSafetensors(path); })),
                 QString::fromStdString("cannot open " + path + ": No such file or directory"));
        writeSafetensors(path, sample());
        QFile f(QString::fromStdString(path));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(toBytes(f.readAll()), encodeSafetensors(sample()));
        QCOMPARE(readSafetensors(path).tensors[0].data, sample().tensors[0].data);
        // Truncation on disk is reported with the file's path.
        f.close();
        std::filesystem::resize_file(path, std::filesystem::file_size(path) - 1);
        QVERIFY(QString::fromStdString(errorOf([&] {
                    readSafetensors(path);
                })).startsWith(QString::fromStdString(path + ": data is truncated")));
    }

    // The file reader reads the header, checks it against the file's size, then the data in
    // chunks: it must give what the in-memory decoder gives, across chunk boundaries.
    void fileReaderMatchesMemoryReader() {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/big.safetensors";
        SafetensorsFile f = sample();
        std::vector<float> many(700'001);
        for (std::size_t i = 0; i < many.size(); ++i) many[i] = float(i % 977) - 0.5f;
        f.tensors.push_back({"many", {700'001}, many});
        writeSafetensors(path, f);
        const SafetensorsFile read = readSafetensors(path);
        QCOMPARE(read.tensors.size(), f.tensors.size());
        for (std::size_t i = 0; i < f.tensors.size(); ++i) {
            QCOMPARE(read.tensors[i].name, f.tensors[i].name);
            QCOMPARE(read.tensors[i].shape, f.tensors[i].shape);
            QCOMPARE(read.tensors[i].data.size(), f.tensors[i].data.size());
            if (!f.tensors[i].data.empty()) // bit for bit (NaN and -0 included)
                QVERIFY(std::memcmp(read.tensors[i].data.data(), f.tensors[i].data.data(),
                                    4 * f.tensors[i].data.size()) == 0);
        }
        QCOMPARE(read.metadata, f.metadata);
        // A header that promises 4 GB of data in a small file is refused before any of it is
        // allocated or read.
        const QByteArray liar = rawFile(
            R"({"x":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}})", 8);
        QFile out(QString::fromStdString(path));
        QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
        out.write(liar);
        out.close();
        QCOMPARE(errorOf([&] { readSafetensors(path); }),
                 path + ": data is truncated (tensors need 4000000000 bytes, file has 8)");
        QCOMPARE(errorOf([&] { readSafetensors(path, 50); }),
                 "cannot read " + path + ": " + std::to_string(liar.size()) +
                     " bytes is more than the 50 allowed");
    }

    // A file that is not safetensors (a password file behind a symlink, say) is named as such;
    // no byte of it reaches the message, as text or as the number its first 8 bytes make.
    void otherFilesAreNotEchoed_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::newRow("text") << QByteArray("root:$6$s3cr3tHash:19000:0:99999:7:::\n");
        // Literals with NULs inside: sized by sizeof, or QByteArray would stop at the first.
        static const char small[] = "\x20\0\0\0\0\0\0\0secret-secret-secret!!!!!!!!!!!";
        QTest::newRow("small length") << QByteArray(small, sizeof small - 1);
        static const char binary[] = "\x7f"
                                     "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0secret";
        QTest::newRow("binary") << QByteArray(binary, sizeof binary - 1);
    }
    void otherFilesAreNotEchoed() {
        QFETCH(QByteArray, bytes);
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/shadow";
        QFile out(QString::fromStdString(path));
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();
        const std::string message = errorOf([&] { readSafetensors(path); });
        QVERIFY2(message.starts_with(path + ": "), message.c_str());
        std::uint64_t first8 = 0;
        QVERIFY(bytes.size() >= 8);
        for (int i = 0; i < 8; ++i) first8 |= std::uint64_t(std::uint8_t(bytes[i])) << (8 * i);
        const std::string rest = message.substr(path.size());
        QVERIFY2(rest.find(std::to_string(first8)) == std::string::npos, message.c_str());
        for (const char* secret : {"s3cr3t", "secret", "root", "ELF"})
            QVERIFY2(rest.find(secret) == std::string::npos, message.c_str());
    }

    void encodeRejectsInconsistentTensors() {
        SafetensorsFile f;
        f.tensors.push_back({"x", {2, 2}, {1.0f}});
        QCOMPARE(errorOf([&] { encodeSafetensors(f); }),
                 std::string(
                     "cannot encode safetensors: tensor 'x' has 1 values but shape [2,2] needs 4"));
        f.tensors = {{"x", {1}, {1.0f}}, {"x", {1}, {2.0f}}};
        QCOMPARE(errorOf([&] { encodeSafetensors(f); }),
                 std::string("cannot encode safetensors: tensor 'x' is reserved or repeated"));
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
