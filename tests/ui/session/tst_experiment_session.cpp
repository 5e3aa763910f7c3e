// The session's file inputs through the app's own entry points (File → Open dataset folder,
// File → Load base model): a broken dataset folder or model file is refused with the core's
// exact one-line message, and the session keeps the data, base and settings it had.
#include "io/model_file.h"
#include "mnist_folder.h"
#include "same_bits.h"
#include "session/experiment_session.h"
#include "util/rng.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using lora::test::Bytes;
using lora::test::embeddedBytes;
using lora::test::writeFile;

namespace {

const QString kBroken = QStringLiteral(LORA_TEST_DATA_DIR "/broken");

Bytes unzipped(const char* name) {
    return lora::maybeGunzip(embeddedBytes(name), name);
}

// A valid torchvision folder (the four embedded .gz files), then one fault put into it.
// Returns the message the session must give, with DIR standing for the folder.
QString makeBrokenFolder(const QString& dir, const QString& fault) {
    if (!lora::test::writeMnistFolder(dir, true)) return "could not write the folder";
    const QString testImages = dir + "/t10k-images-idx3-ubyte";
    // Replaces the test images with raw (not gzipped) bytes.
    const auto rawTestImages = [&](const Bytes& bytes) {
        QFile::remove(testImages + ".gz");
        writeFile(testImages, bytes);
    };
    Bytes images = unzipped("t10k-images-idx3-ubyte.gz");
    if (fault == "missing file") {
        QFile::remove(dir + "/t10k-labels-idx1-ubyte.gz");
        return "MNIST file t10k-labels-idx1-ubyte[.gz] is missing in DIR";
    }
    if (fault == "gzip ends early") {
        Bytes gz = embeddedBytes("train-images-idx3-ubyte.gz");
        gz.resize(gz.size() / 2);
        writeFile(dir + "/train-images-idx3-ubyte.gz", gz);
        return "DIR/train-images-idx3-ubyte.gz: gzip data ends early (file truncated?)";
    }
    if (fault == "truncated IDX") {
        images.resize(images.size() - 100);
        rawTestImages(images);
        return "DIR/t10k-images-idx3-ubyte: truncated: header promises 2000 images of 28x28 "
               "(1568000 bytes) but only 1567900 bytes follow";
    }
    if (fault == "oversized IDX") {
        images.insert(images.end(), 5, 0);
        rawTestImages(images);
        return "DIR/t10k-images-idx3-ubyte: 5 unexpected bytes after 2000 images of 28x28";
    }
    if (fault == "wrong magic") {
        images[2] = 0x09;
        rawTestImages(images);
        return "DIR/t10k-images-idx3-ubyte: not an IDX image file (its magic number is not "
               "0x00000803)";
    }
    if (fault == "wrong dimension count") {
        rawTestImages(unzipped("t10k-labels-idx1-ubyte.gz")); // a label file: 1 dimension
        return "DIR/t10k-images-idx3-ubyte: not an IDX image file (it does not have 3 dimensions)";
    }
    if (fault == "labels ≠ images") {
        writeFile(dir + "/t10k-labels-idx1-ubyte.gz", embeddedBytes("train-labels-idx1-ubyte.gz"));
        return "DIR/t10k-labels-idx1-ubyte.gz: 8000 labels but DIR/t10k-images-idx3-ubyte.gz has "
               "2000 images";
    }
    return "unknown fault";
}

} // namespace

class TestExperimentSession : public QObject {
    Q_OBJECT
private slots:
    void brokenDatasetFolderKeepsTheData_data() {
        QTest::addColumn<QString>("fault");
        for (const char* fault :
             {"missing file", "gzip ends early", "truncated IDX", "oversized IDX", "wrong magic",
              "wrong dimension count", "labels ≠ images"})
            QTest::addRow("%s", fault) << QString(fault);
    }
    void brokenDatasetFolderKeepsTheData() {
        QFETCH(QString, fault);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString message = makeBrokenFolder(dir.path(), fault).replace("DIR", dir.path());
        ExperimentSession session;
        const DataPtr before = session.data();
        const ExperimentSettings settings = session.settings();
        QSignalSpy errors(&session, &ExperimentSession::errorOccurred);
        QSignalSpy changed(&session, &ExperimentSession::dataChanged);
        QVERIFY(!session.openDataset(dir.path()));
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), message);
        QCOMPARE(changed.count(), 0);
        QVERIFY(session.data() == before); // the very same data, not a reload
        QVERIFY(session.settings() == settings);
    }

    void healthyFolderStillOpens() { // the faults above are the only reason for refusal
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        makeBrokenFolder(dir.path(), "none");
        ExperimentSession session;
        QVERIFY(session.openDataset(dir.path()));
        QCOMPARE(session.data()->test.images.rows(), 2000);
    }

    void brokenBaseFileKeepsTheBase_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("message");
        QTest::addRow("header too large")
            << "header_too_large"
            << "not a safetensors file (its header length is over the 32 MiB limit)";
        QTest::addRow("truncated header") << "truncated_header"
                                          << "5 bytes is too short for a safetensors file";
        QTest::addRow("header past end")
            << "header_past_end"
            << "not a safetensors file (its header length runs past the end of the 72-byte file)";
        QTest::addRow("overlapping offsets") << "overlapping_offsets"
                                             << "tensor 'b' overlaps tensor 'a'";
        QTest::addRow("unknown dtype")
            << "unknown_dtype"
            << "tensor 'a' has dtype 'I64'; only F32, F16 and BF16 are supported";
        QTest::addRow("NaN weights") << "nan_weights"
                                     << "tensor 'fc1.weight' holds NaN/Inf values";
    }
    void brokenBaseFileKeepsTheBase() {
        QFETCH(QString, file);
        QFETCH(QString, message);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        lora::Mlp model("784-64-2");
        lora::Rng rng(3);
        model.initDefault(rng);
        const QString good = dir.filePath("base.safetensors");
        lora::saveModel(good.toStdString(), model, {{3, 4}});
        ExperimentSession session;
        QVERIFY(session.loadBase(good));
        const ModelPtr before = session.baseModel();
        const ExperimentSettings settings = session.settings();
        QSignalSpy errors(&session, &ExperimentSession::errorOccurred);
        const QString path = kBroken + "/" + file + ".safetensors";
        QVERIFY(!session.loadBase(path));
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), path + ": " + message);
        QVERIFY(session.baseModel() == before);
        QVERIFY(lora::test::sameBits(*session.baseModel(), model));
        QVERIFY(session.settings() == settings);
    }
};

QTEST_MAIN(TestExperimentSession)
#include "tst_experiment_session.moc"
