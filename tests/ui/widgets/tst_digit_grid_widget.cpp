// DigitGridWidget: normalised rows turn back into the original grey levels, and exactly
// the misclassified cells are drawn with a red frame.
#include "data/dataset.h"
#include "widgets/digit_grid_widget.h"

#include <QtTest>

namespace {

// n images, image i filled with grey level (i * 37) % 256, normalised like the real data.
lora::Dataset syntheticDigits(int n) {
    lora::RawImages raw;
    raw.count = n;
    raw.rows = raw.cols = DigitGridWidget::kSide;
    for (int i = 0; i < n; ++i) {
        raw.pixels.insert(raw.pixels.end(), 28 * 28, static_cast<std::uint8_t>((i * 37) % 256));
        raw.labels.push_back(static_cast<std::uint8_t>(i % 10));
    }
    return lora::normalise(raw);
}

bool isRed(QRgb c) {
    return qRed(c) > 170 && qGreen(c) < 90 && qBlue(c) < 90;
}

} // namespace

class TestDigitGridWidget : public QObject {
    Q_OBJECT
private slots:
    void unnormaliseRoundTrip_data() {
        QTest::addColumn<int>("grey");
        for (int g : {0, 1, 33, 127, 200, 254, 255})
            QTest::newRow(qPrintable(QString::number(g))) << g;
    }
    void unnormaliseRoundTrip() {
        QFETCH(int, grey);
        lora::RawImages raw;
        raw.count = 1;
        raw.rows = raw.cols = 28;
        raw.pixels.assign(28 * 28, 0);
        raw.pixels[28 * 5 + 9] = static_cast<std::uint8_t>(grey); // row 5, column 9
        raw.labels = {3};
        const lora::Dataset data = lora::normalise(raw);
        QCOMPARE(int(DigitGridWidget::toGrey(data.images(0, 28 * 5 + 9))), grey);
        const QImage image = DigitGridWidget::toImage(data.images.row(0).data());
        QCOMPARE(image.size(), QSize(28, 28));
        QCOMPARE(qGray(image.pixel(9, 5)), grey);
        QCOMPARE(qGray(image.pixel(0, 0)), 0);
    }

    void outOfRangeValuesClamp() {
        QCOMPARE(int(DigitGridWidget::toGrey(-10.0f)), 0);
        QCOMPARE(int(DigitGridWidget::toGrey(10.0f)), 255);
    }

    void redFramesMarkWrongPredictions_data() {
        QTest::addColumn<QList<int>>("wrongCells");
        QTest::newRow("all right") << QList<int>{};
        QTest::newRow("one") << QList<int>{5};
        QTest::newRow("corners") << QList<int>{0, 7, 24, 31};
        QTest::newRow("many") << QList<int>{1, 2, 3, 10, 11, 17, 20, 29, 30};
    }
    void redFramesMarkWrongPredictions() {
        QFETCH(QList<int>, wrongCells);
        const lora::Dataset data = syntheticDigits(32);
        std::vector<int> truth(data.labels.begin(), data.labels.end());
        DigitGridWidget grid;
        grid.resize(700, 460);
        grid.setSamples(data.images, truth);
        QCOMPARE(grid.cellCount(), 32);
        QCOMPARE(grid.wrongCount(), 0); // no predictions yet: nothing is wrong

        std::vector<int> predicted = truth;
        for (int i : wrongCells) predicted[i] = (truth[i] + 1) % 10;
        grid.setPredictions(predicted);
        QCOMPARE(grid.wrongCount(), wrongCells.size());

        const QImage shot = grid.grab().toImage();
        int redFrames = 0;
        for (int i = 0; i < grid.cellCount(); ++i) {
            const QRect cell = grid.cellRect(i);
            QVERIFY(shot.rect().contains(cell));
            // Sample the left and top edges of the frame.
            const bool red = isRed(shot.pixel(cell.left() + 1, cell.center().y())) &&
                             isRed(shot.pixel(cell.center().x(), cell.top() + 1));
            QCOMPARE(red, wrongCells.contains(i));
            redFrames += red;
            // The image sits inside the frame at an integer scale of at least 2.
            const QRgb inside = shot.pixel(cell.left() + 8, cell.top() + 8);
            QCOMPARE(qGray(inside), qGray(grid.image(i).pixel(1, 1)));
        }
        QCOMPARE(redFrames, wrongCells.size());
    }

    void mismatchedPredictionsAreIgnored() {
        const lora::Dataset data = syntheticDigits(8);
        DigitGridWidget grid;
        grid.setSamples(data.images, std::vector<int>(data.labels.begin(), data.labels.end()));
        grid.setPredictions({1, 2, 3}); // wrong length
        QCOMPARE(grid.wrongCount(), 0);
        grid.clear();
        QCOMPARE(grid.cellCount(), 0);
    }
};

QTEST_MAIN(TestDigitGridWidget)
#include "tst_digit_grid_widget.moc"
