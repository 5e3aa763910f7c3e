// IDX reading: round trips, gzip vs raw, and one exact one-line message per kind of
// malformed input (wrong magic, dimensions, truncation, trailing bytes, bad gzip).
#include "data/idx.h"
#include "util/error.h"

#include "error_of.h"
#include <QTemporaryDir>

#include <QtTest>

#include <fstream>

#include <functional>
#include <sys/resource.h>
#include <zlib.h>

using namespace lora;
using lora::test::errorOf;
using lora::test::qErrorOf;
using Bytes = std::vector<std::uint8_t>;
Q_DECLARE_METATYPE(Bytes)

namespace {

Bytes be32(std::uint32_t v) {
    return {Bytes::value_type(v >> 24), Bytes::value_type(v >> 16), Bytes::value_type(v >> 8),
            Bytes::value_type(v)};
}

Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// A minimal gzip encoder using stored (uncompressed) deflate blocks, so the tests check
// our zlib-based reader against an encoder that does not share its code.
Bytes gzipStored(const Bytes& data) {
    Bytes out = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
    std::size_t at = 0;
    do {
        const std::size_t n = std::min<std::size_t>(65535, data.size() - at);
        const bool last = at + n == data.size();
        out.push_back(last ? 1 : 0);
        for (std::uint16_t v : {std::uint16_t(n), std::uint16_t(~n)}) {
            out.push_back(std::uint8_t(v));
            out.push_back(std::uint8_t(v >> 8));
        }
        out.insert(out.end(), data.begin() + std::ptrdiff_t(at),
                   data.begin() + std::ptrdiff_t(at + n));
        at += n;
    } while (at < data.size());
    std::uint32_t crc = 0xffffffffu;
    for (std::uint8_t b : data) {
        crc ^= b;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    for (std::uint32_t v : {~crc, std::uint32_t(data.size())})
        for (int k = 0; k < 4; ++k) out.push_back(std::uint8_t(v >> (8 * k)));
    return out;
}

// 2 images of 2x3 with distinct pixels, labels {7, 2}.
RawImages sample() {
    RawImages raw;
    raw.count = 2;
    raw.rows = 2;
    raw.cols = 3;
    raw.pixels = {0, 1, 2, 3, 4, 255, 10, 20, 30, 40, 50, 60};
    raw.labels = {7, 2};
    return raw;
}

void writeFile(const QString& path, const Bytes& bytes) {
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

// gzip (real deflate) of `prefix` followed by `zeros` zero bytes, made without holding the
// zeros: a bomb of a few hundred KB.
Bytes gzipBomb(const Bytes& prefix, std::size_t zeros) {
    z_stream zs{};
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) return {};
    Bytes out;
    std::vector<std::uint8_t> chunk(1 << 20, 0), buffer(1 << 16);
    const auto pump = [&](const std::uint8_t* data, std::size_t n, int flush) {
        zs.next_in = const_cast<Bytef*>(data);
        zs.avail_in = uInt(n);
        do {
            zs.next_out = buffer.data();
            zs.avail_out = uInt(buffer.size());
            deflate(&zs, flush);
            out.insert(out.end(), buffer.data(), buffer.data() + buffer.size() - zs.avail_out);
        } while (zs.avail_out == 0);
    };
    pump(prefix.data(), prefix.size(), Z_NO_FLUSH);
    for (std::size_t left = zeros; left > 0;) {
        const std::size_t n = std::min(left, chunk.size());
        pump(chunk.data(), n, Z_NO_FLUSH);
        left -= n;
    }
    pump(nullptr, 0, Z_FINISH);
    deflateEnd(&zs);
    return out;
}

long peakRssKb() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

} // namespace

class TestIdx : public QObject {
    Q_OBJECT
private slots:
    void roundTripImagesAndLabels() {
        const RawImages raw = sample();
        const RawImages back = parseIdxImages(writeIdxImages(raw), "mem");
        QCOMPARE(back.count, 2);
        QCOMPARE(back.rows, 2);
        QCOMPARE(back.cols, 3);
        QVERIFY(back.pixels == raw.pixels);
        QVERIFY(back.labels.empty());
        QVERIFY(parseIdxLabels(writeIdxLabels(raw.labels), "mem") == raw.labels);
    }

    void writtenHeaderIsBigEndian() {
        const Bytes bytes = writeIdxImages(sample());
        QVERIFY(Bytes(bytes.begin(), bytes.begin() + 16) ==
                concat({be32(0x803), be32(2), be32(2), be32(3)}));
        QVERIFY(writeIdxLabels({7}) == concat({be32(0x801), be32(1), Bytes{7}}));
    }

    void gzipAndRawParseIdentically() {
        const RawImages raw = sample();
        const RawImages fromGz = parseIdxImages(gzipStored(writeIdxImages(raw)), "mem.gz");
        QVERIFY(fromGz.pixels == raw.pixels);
        QCOMPARE(fromGz.rows, raw.rows);
        QVERIFY(parseIdxLabels(gzipStored(writeIdxLabels(raw.labels)), "l.gz") == raw.labels);
    }

    void gunzipHandlesMultipleBlocksAndMembers() {
        Bytes big(200000);
        for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::uint8_t(i * 7 + i / 251);
        QVERIFY(maybeGunzip(gzipStored(big), "big") == big);
        // `cat a.gz b.gz` is a valid gzip file holding a followed by b.
        const Bytes a = {1, 2, 3}, b = {4, 5};
        QVERIFY(maybeGunzip(concat({gzipStored(a), gzipStored(b)}), "cat") == concat({a, b}));
        QVERIFY(maybeGunzip(a, "plain") == a);
        QVERIFY(maybeGunzip(gzipStored({}), "empty").empty());
    }

    void malformedImages_data() {
        QTest::addColumn<Bytes>("bytes");
        QTest::addColumn<QString>("message");
        const Bytes pixels = {1, 2, 3, 4, 5, 6, 7, 8};
        const Bytes valid = concat({be32(0x803), be32(2), be32(2), be32(2), pixels});
        Bytes truncatedGz = gzipStored(valid);
        truncatedGz.resize(truncatedGz.size() - 10);
        Bytes badCrc = gzipStored(valid);
        badCrc[badCrc.size() - 8] ^= 0xff;

        QTest::newRow("empty") << Bytes{} << "f: too short for an IDX image header (0 bytes)";
        QTest::newRow("wrong magic")
            << concat({be32(0x903), be32(2), be32(2), be32(2), pixels})
            << "f: not an IDX image file (its magic number is not 0x00000803)";
        QTest::newRow("little-endian magic")
            << concat({Bytes{3, 8, 0, 0}, be32(2), be32(2), be32(2), pixels})
            << "f: not an IDX image file (its magic number is not 0x00000803)";
        QTest::newRow("label file") << concat({be32(0x801), be32(2), Bytes{1, 2}})
                                    << "f: not an IDX image file (it does not have 3 dimensions)";
        QTest::newRow("short header")
            << concat({be32(0x803), be32(2)}) << "f: too short for an IDX image header (8 bytes)";
        QTest::newRow("truncated payload")
            << Bytes(valid.begin(), valid.end() - 1)
            << "f: truncated: header promises 2 images of 2x2 (8 bytes) but only 7 bytes follow";
        QTest::newRow("one trailing byte")
            << concat({valid, Bytes{0}}) << "f: 1 unexpected byte after 2 images of 2x2";
        QTest::newRow("trailing bytes")
            << concat({valid, Bytes{0, 0, 0}}) << "f: 3 unexpected bytes after 2 images of 2x2";
        QTest::newRow("no images")
            << concat({be32(0x803), be32(0), be32(28), be32(28)}) << "f: contains no images";
        QTest::newRow("zero rows") << concat({be32(0x803), be32(2), be32(0), be32(2)})
                                   << "f: implausible size 2 images of 0x2";
        QTest::newRow("gzip ends early")
            << truncatedGz << "f: gzip data ends early (file truncated?)";
        QTest::newRow("gzip bad crc") << badCrc << "f: corrupt gzip data (incorrect data check)";
        Bytes forgedTrailer = gzipStored(valid); // ISIZE says 4 GiB: never trusted, refused
        for (int i = 1; i <= 4; ++i) forgedTrailer[forgedTrailer.size() - i] = 0xff;
        QTest::newRow("gzip forged size")
            << forgedTrailer << "f: corrupt gzip data (incorrect length check)";
        QTest::newRow("over the budget")
            << concat({be32(0x803), be32(60000), be32(2000), be32(2000)})
            << "f: its header describes more than the 256 MiB an IDX file may hold";
        QTest::newRow("over the budget, gzip")
            << gzipStored(concat({be32(0x803), be32(60000), be32(2000), be32(2000)}))
            << "f: its header describes more than the 256 MiB an IDX file may hold";
        QTest::newRow("gzip holds more than its header")
            << gzipStored(concat({valid, Bytes{0}}))
            << "f: inflates to more than its header describes";
        QTest::newRow("gzip of another file")
            << gzipBomb(Bytes{'%', 'P', 'D', 'F'}, 1 << 20)
            << "f: not an IDX image file (its magic number is not 0x00000803)";
        QTest::newRow("gzip trailing garbage") << concat({gzipStored(valid), Bytes{'x', 'y', 'z'}})
                                               << "f: 3 unexpected bytes after the gzip data";
    }
    // A 256 MB bomb behind a header for 2 images of 2x2 costs what the header describes: the
    // inflation stops at the first byte past it.
    void gzipBombCostsItsHeader() {
        const Bytes header = concat({be32(0x803), be32(2), be32(2), be32(2)});
        const Bytes bomb = gzipBomb(header, std::size_t(256) << 20);
        QVERIFY(bomb.size() < (std::size_t(1) << 20));
        const long before = peakRssKb();
        QCOMPARE(qErrorOf([&] { parseIdxImages(bomb, "bomb.gz"); }),
                 QString("bomb.gz: inflates to more than its header describes"));
        QVERIFY2(peakRssKb() - before < 16 * 1024,
                 qPrintable(QString::number(peakRssKb() - before)));
        // The plain inflater has a budget too.
        const Bytes bigger = gzipBomb({}, (std::size_t(256) << 20) + 1);
        QCOMPARE(qErrorOf([&] { maybeGunzip(bigger, "b.gz"); }),
                 QString("b.gz: inflates to more than 256 MiB"));
    }

    void malformedImages() {
        QFETCH(Bytes, bytes);
        QFETCH(QString, message);
        QCOMPARE(qErrorOf([&] { parseIdxImages(bytes, "f"); }), message);
    }

    void malformedLabels_data() {
        QTest::addColumn<Bytes>("bytes");
        QTest::addColumn<QString>("message");
        const Bytes valid = concat({be32(0x801), be32(3), Bytes{0, 9, 4}});

        QTest::newRow("wrong magic")
            << concat({be32(0x10801), be32(3), Bytes{0, 9, 4}})
            << "f: not an IDX label file (its magic number is not 0x00000801)";
        QTest::newRow("image file") << concat({be32(0x803), be32(1), be32(1), be32(1), Bytes{0}})
                                    << "f: not an IDX label file (it does not have 1 dimension)";
        QTest::newRow("short header")
            << Bytes{0, 0, 8, 1, 0} << "f: too short for an IDX label header (5 bytes)";
        QTest::newRow("truncated") << Bytes(valid.begin(), valid.end() - 2)
                                   << "f: truncated: header promises 3 labels (3 bytes) but "
                                      "only 1 bytes follow";
        QTest::newRow("trailing") << concat({valid, Bytes{1, 1}})
                                  << "f: 2 unexpected bytes after 3 labels";
        QTest::newRow("no labels") << concat({be32(0x801), be32(0)}) << "f: contains no labels";
        QTest::newRow("label 10") << concat({be32(0x801), be32(3), Bytes{0, 10, 4}})
                                  << "f: the label at index 1 is not a digit 0-9";
    }
    void malformedLabels() {
        QFETCH(Bytes, bytes);
        QFETCH(QString, message);
        QCOMPARE(qErrorOf([&] { parseIdxLabels(bytes, "f"); }), message);
    }

    void pairLoadsFilesAndChecksCounts() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString images = dir.filePath("images.gz"), labels = dir.filePath("labels");
        writeFile(images, gzipStored(writeIdxImages(sample())));
        writeFile(labels, writeIdxLabels({7, 2}));
        const RawImages raw = loadIdxPair(images.toStdString(), labels.toStdString());
        QVERIFY(raw.pixels == sample().pixels);
        QVERIFY(raw.labels == sample().labels);

        writeFile(labels, writeIdxLabels({7, 2, 1}));
        QCOMPARE(qErrorOf([&] { loadIdxPair(images.toStdString(), labels.toStdString()); }),
                 labels + ": 3 labels but " + images + " has 2 images");
        const QString missing = dir.filePath("nope");
        QCOMPARE(qErrorOf([&] { loadIdxPair(missing.toStdString(), labels.toStdString()); }),
                 "cannot open " + missing + ": No such file or directory");
    }
};

QTEST_APPLESS_MAIN(TestIdx)
#include "tst_idx.moc"
