// The hostile-input suite (issue 20): one generator per class of bad file, each made at test
// time, each run through the real lora-cli. Every refusal must be exit 2 with one line of at
// most 300 characters that echoes nothing of the file, cost at most 256 MB of memory, and
// write nothing. Wall time is printed for the record; a 60 s guard only catches hangs.
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "measured_run.h"
#include "random_matrix.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <functional>
#include <string>

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

namespace {

using Maker = std::function<QStringList(const QString& dir)>; // files -> lora-cli arguments

void writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    if (f.open(QIODevice::WriteOnly)) f.write(bytes);
}

// A safetensors file from a literal header (unpadded) and `data` zero bytes.
QByteArray safetensors(const QByteArray& header, qsizetype data = 0) {
    QByteArray out;
    for (int i = 0; i < 8; ++i) out.append(char(quint64(header.size()) >> (8 * i)));
    return out + header + QByteArray(data, '\0');
}

QByteArray repeated(int n, const std::function<QByteArray(int)>& item, const char* sep = ",") {
    QByteArray s;
    for (int i = 0; i < n; ++i) s += (i ? QByteArray(sep) : QByteArray()) + item(i);
    return s;
}

QByteArray gzipStored(const QByteArray& data); // below

void writeBase(const QString& path) {
    lora::saveModel(path.toStdString(), lora::Mlp("784-8-2"), {{7, 8}});
}

// <d>/base.safetensors (784-8-2) and <d>/adapter, a rank-2 adapter for it.
void writeAdapterFolder(const QString& d) {
    writeBase(d + "/base.safetensors");
    const lora::Mlp base("784-8-2");
    lora::AdapterWeights w;
    w.spec = {2, 4.0f, false, lora::LoraInit::Kaiming};
    for (int i = 0; i < base.layerCount(); ++i)
        w.layers.push_back({i, w.spec, lora::test::uniformMatrix(2, base.layer(i).in(), 3),
                            lora::Matrix::Zero(base.layer(i).out(), 2)});
    lora::writeAdapter((d + "/adapter").toStdString(), base, w, {{7, 8}});
}

} // namespace

Q_DECLARE_METATYPE(Maker)

class TestCliHostile : public QObject {
    Q_OBJECT
private slots:
    void refusalsAreCheap_data() {
        QTest::addColumn<Maker>("make");
        QTest::addColumn<QString>("says"); // a part of the one line
        QTest::newRow("80,000 empty header entries") << Maker([](const QString& d) {
            writeBytes(
                d + "/m.safetensors",
                safetensors(
                    "{" +
                    repeated(80000, [](int i) { return "\"k" + QByteArray::number(i) + "\":{}"; }) +
                    "}"));
            return QStringList{"eval", "--base", d + "/m.safetensors"};
        }) << "tensor 'k0' has no dtype string";
        QTest::newRow("a million nested arrays") << Maker([](const QString& d) {
            writeBytes(d + "/m.safetensors", safetensors("{\"a\":" + QByteArray(1000000, '[')));
            return QStringList{"rank", "--matrix", d + "/m.safetensors"};
        }) << "nests deeper than 8 levels";
        QTest::newRow("header length from a password file") << Maker([](const QString& d) {
            writeBytes(d + "/shadow.safetensors", "root:$6$s3cr3tHash:19000:0:99999:7:::\n");
            return QStringList{"eval", "--base", d + "/shadow.safetensors"};
        }) << "not a safetensors file";
        QTest::newRow("/dev/zero as a model") << Maker([](const QString&) {
            return QStringList{"eval", "--base", "/dev/zero"};
        }) << "not a regular file";
        QTest::newRow("/dev/urandom as a matrix") << Maker([](const QString&) {
            return QStringList{"svd", "--matrix", "/dev/urandom"};
        }) << "not a regular file";
        QTest::newRow("a FIFO as a model") << Maker([](const QString& d) {
            ::mkfifo((d + "/fifo.safetensors").toUtf8().constData(), 0600);
            return QStringList{"eval", "--base", d + "/fifo.safetensors"};
        }) << "not a regular file";
        QTest::newRow("/dev/zero inspected") << Maker([](const QString&) {
            return QStringList{"inspect", "/dev/zero"};
        }) << "not a regular file";
        QTest::newRow("a FIFO as a PEFT folder's config") << Maker([](const QString& d) {
            QDir(d).mkdir("peft");
            ::mkfifo((d + "/peft/adapter_config.json").toUtf8().constData(), 0600);
            return QStringList{"inspect", d + "/peft"};
        }) << "not a regular file";
        QTest::newRow("a 32 MB metadata value") << Maker([](const QString& d) {
            writeBytes(d + "/m.safetensors",
                       safetensors("{\"__metadata__\":{\"lora_explorer.classes\":\"" +
                                   QByteArray((32 << 20) - 64, '7') + "\"}}"));
            return QStringList{"eval", "--base", d + "/m.safetensors"};
        }) << "m.safetensors";
        QTest::newRow("NUL ends the header early") << Maker([](const QString& d) {
            writeBytes(d + "/m.safetensors", safetensors(QByteArray("{}\0junk!", 8)));
            return QStringList{"eval", "--base", d + "/m.safetensors"};
        }) << "header holds a NUL byte";
    }
    // Folders: MNIST data and adapters.
    void folderRefusalsAreCheap_data() {
        QTest::addColumn<Maker>("make");
        QTest::addColumn<QString>("says");
        QTest::newRow("gzip bomb of MNIST images") << Maker([](const QString& d) {
            QDir(d).mkdir("mnist");
            QByteArray header = QByteArray::fromHex("00000803000000020000000200000002");
            // Stored blocks: not small on disk, but 8 MB past what the header describes.
            const QByteArray bomb = gzipStored(header + QByteArray(8 << 20, '\0'));
            for (const char* name : {"train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"})
                writeBytes(d + "/mnist/" + name, bomb);
            const QByteArray labels = QByteArray::fromHex("000008010000000207") + "\x08";
            for (const char* name : {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"})
                writeBytes(d + "/mnist/" + name, labels);
            writeBase(d + "/base.safetensors");
            return QStringList{"eval", "--base", d + "/base.safetensors", "--data", d + "/mnist"};
        }) << "inflates to more than its header describes";
        QTest::newRow("MNIST header over the budget") << Maker([](const QString& d) {
            QDir(d).mkdir("mnist");
            for (const char* name : {"train-images-idx3-ubyte", "t10k-images-idx3-ubyte"})
                writeBytes(d + "/mnist/" + name,
                           QByteArray::fromHex("00000803ffffffff0000ffff0000ffff"));
            const QByteArray labels = QByteArray::fromHex("000008010000000207") + "\x08";
            for (const char* name : {"train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte"})
                writeBytes(d + "/mnist/" + name, labels);
            writeBase(d + "/base.safetensors");
            return QStringList{"eval", "--base", d + "/base.safetensors", "--data", d + "/mnist"};
        }) << "its header describes more than the 256 MiB";
        // 600 MB of (sparse) data after a header for 4 bytes: refused from the header and the
        // file's size, without reading the data.
        QTest::newRow("a 600 MB model") << Maker([](const QString& d) {
            writeBytes(d + "/m.safetensors",
                       safetensors(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})"));
            QFile(d + "/m.safetensors").resize(600 << 20);
            return QStringList{"eval", "--base", d + "/m.safetensors"};
        }) << "trailing bytes after the last tensor";
        // Real sizes, sparse on disk: refused from the header's shapes, the data never read.
        QTest::newRow("svd of an 8192² matrix") << Maker([](const QString& d) {
            writeBytes(d + "/m.safetensors",
                       safetensors(R"({"w":{"dtype":"F32","shape":[8192,8192],)"
                                   R"("data_offsets":[0,268435456]}})"));
            QFile f(d + "/m.safetensors");
            f.resize(f.size() + 268435456);
            return QStringList{"svd", "--matrix", d + "/m.safetensors", "--rank", "1"};
        }) << "m.safetensors";
        QTest::newRow("a model over the budget") << Maker([](const QString& d) {
            writeBytes(d + "/m.safetensors",
                       safetensors(R"({"fc1.weight":{"dtype":"F32","shape":[8192,8192],)"
                                   R"("data_offsets":[0,268435456]}})"));
            QFile f(d + "/m.safetensors");
            f.resize(f.size() + 268435456);
            return QStringList{"eval", "--base", d + "/m.safetensors"};
        }) << "values a model may have (the model budget)";
        QTest::newRow("a 600 MB adapter") << Maker([](const QString& d) {
            writeAdapterFolder(d);
            writeBytes(d + "/adapter/adapter_model.safetensors",
                       safetensors(R"({"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})"));
            QFile(d + "/adapter/adapter_model.safetensors").resize(600 << 20);
            return QStringList{"adapters",  "import",      "--base", d + "/base.safetensors",
                               "--adapter", d + "/adapter"};
        }) << "trailing bytes after the last tensor";
        QTest::newRow("an adapter's weights outside its folder") << Maker([](const QString& d) {
            writeAdapterFolder(d);
            QFile::rename(d + "/adapter/adapter_model.safetensors", d + "/elsewhere.safetensors");
            QFile::link(d + "/elsewhere.safetensors", d + "/adapter/adapter_model.safetensors");
            return QStringList{"adapters",  "import",       "--base", d + "/base.safetensors",
                               "--adapter", d + "/adapter", "--out",  d + "/out"};
        }) << "resolves to a place outside";
    }
    void folderRefusalsAreCheap() { refusalsAreCheap(); }

    void refusalsAreCheap() {
        QFETCH(Maker, make);
        QFETCH(QString, says);
        QTemporaryDir tmp;
        const QStringList args = make(tmp.path());
        const QStringList before =
            QDir(tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot);
        const lora::test::MeasuredRun run = lora::test::runMeasured(args);
        qInfo("%s: exit %d in %.3f s, peak RSS %ld KB", QTest::currentDataTag(), run.exitCode,
              run.seconds, run.peakRssKb);
        QVERIFY2(!run.timedOut, "killed after 60 s");
        QCOMPARE(run.exitCode, 2);
        const QString line = run.stdErr.trimmed();
        QVERIFY2(!line.contains('\n'), qPrintable(line));
        QVERIFY2(line.size() <= 300, qPrintable(QString::number(line.size())));
        QVERIFY2(line.contains(says), qPrintable(line));
        QVERIFY2(!line.contains("s3cr3t") && !line.contains("777777"), qPrintable(line));
#ifndef LORA_SANITIZED // ASan's shadow memory and quarantine make resident size meaningless
        QVERIFY2(run.peakRssKb <= 256 * 1024, qPrintable(QString::number(run.peakRssKb)));
#endif
        // Nothing written, not even a temp name.
        QCOMPARE(QDir(tmp.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
                 before);
    }
};

namespace {

// gzip with stored (uncompressed) deflate blocks: a valid stream, made without deflate.
QByteArray gzipStored(const QByteArray& data) {
    QByteArray out = QByteArray::fromHex("1f8b08000000000000ff");
    qsizetype at = 0;
    do {
        const qsizetype n = std::min<qsizetype>(65535, data.size() - at);
        out.append(char(at + n >= data.size() ? 1 : 0));
        out.append(char(n & 0xff)).append(char(n >> 8));
        out.append(char(~n & 0xff)).append(char((~n >> 8) & 0xff));
        out.append(data.mid(at, n));
        at += n;
    } while (at < data.size());
    const auto le32 = [&](quint32 v) {
        for (int i = 0; i < 4; ++i) out.append(char(v >> (8 * i)));
    };
    le32(quint32(crc32(0, reinterpret_cast<const Bytef*>(data.constData()), uInt(data.size()))));
    le32(quint32(data.size()));
    return out;
}

} // namespace

QTEST_GUILESS_MAIN(TestCliHostile)
#include "tst_cli_hostile.moc"
