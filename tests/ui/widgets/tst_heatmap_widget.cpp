// HeatmapWidget: the diverging colour scale (0 white, +max red, −max blue, saturation
// beyond), block-averaged downsampling of a big matrix to the widget's pixels, and a
// rendered grab that actually shows the matrix.
#include "util/rng.h"
#include "widgets/heatmap_widget.h"

#include <QtConcurrent/QtConcurrentRun>
#include <QtTest>
#include <cmath>
#include <limits>
#include <set>

using lora::Matrix;
Q_DECLARE_METATYPE(lora::Matrix)

namespace {

Matrix randomMatrix(int rows, int cols, std::uint64_t seed) {
    lora::Rng rng(seed);
    Matrix m(rows, cols);
    for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = rng.uniform(-1.0f, 1.0f);
    return m;
}

bool isRed(QColor c) {
    return c.red() > 150 && c.green() < 60 && c.blue() < 60;
}
bool isBlue(QColor c) {
    return c.blue() > 150 && c.red() < 60 && c.green() < 120;
}

} // namespace

class TestHeatmapWidget : public QObject {
    Q_OBJECT
private slots:
    void colourScale_data() {
        QTest::addColumn<float>("value");
        QTest::addColumn<float>("maxAbs");
        QTest::addColumn<QString>("expected"); // white | red | blue | pale red | pale blue
        QTest::newRow("0 -> white") << 0.0f << 2.0f << "white";
        QTest::newRow("+max -> red") << 2.0f << 2.0f << "red";
        QTest::newRow("-max -> blue") << -2.0f << 2.0f << "blue";
        QTest::newRow("beyond +max saturates") << 7.0f << 2.0f << "red";
        QTest::newRow("beyond -max saturates") << -7.0f << 2.0f << "blue";
        QTest::newRow("+max/2 -> pale red") << 1.0f << 2.0f << "pale red";
        QTest::newRow("-max/2 -> pale blue") << -1.0f << 2.0f << "pale blue";
        QTest::newRow("scale 0 -> white") << 5.0f << 0.0f << "white";
        QTest::newRow("NaN -> white") << std::nanf("") << 1.0f << "white";
    }
    void colourScale() {
        QFETCH(float, value);
        QFETCH(float, maxAbs);
        QFETCH(QString, expected);
        const QColor c(HeatmapWidget::colorFor(value, maxAbs));
        if (expected == "white") {
            QCOMPARE(c, QColor(Qt::white));
        } else if (expected == "red") {
            QVERIFY2(isRed(c), qPrintable(c.name()));
            QCOMPARE(c, QColor(HeatmapWidget::colorFor(1.0f, 1.0f)));
        } else if (expected == "blue") {
            QVERIFY2(isBlue(c), qPrintable(c.name()));
            QCOMPARE(c, QColor(HeatmapWidget::colorFor(-1.0f, 1.0f)));
        } else {
            // Halfway: a tint between white and the end colour, still leaning the right way.
            const QColor end(HeatmapWidget::colorFor(expected == "pale red" ? 1.0f : -1.0f, 1.0f));
            for (auto [mid, full] :
                 {std::pair{c.red(), end.red()}, {c.green(), end.green()}, {c.blue(), end.blue()}})
                QVERIFY(std::abs(mid - (255 + full) / 2) <= 1);
        }
    }

    // Cells painted at their matrix positions with the colours the scale gives.
    void paintsCellsOnTheSharedScale() {
        HeatmapWidget w;
        w.resize(300, 200);
        Matrix m(2, 2);
        m << 0.0f, 4.0f, -4.0f, 8.0f; // scale 4: 8 saturates
        w.setScale(4.0f);
        w.setMatrix(m);
        QCOMPARE(w.sampled(), m); // smaller than the widget: not resampled
        const QImage img = w.grab().toImage();
        const QRect r = w.imageRect();
        auto cell = [&](int i, int j) {
            return img.pixelColor(r.left() + r.width() * (2 * j + 1) / 4,
                                  r.top() + r.height() * (2 * i + 1) / 4);
        };
        QCOMPARE(cell(0, 0), QColor(Qt::white));
        QVERIFY(isRed(cell(0, 1)));
        QVERIFY(isBlue(cell(1, 0)));
        QCOMPARE(cell(1, 1), cell(0, 1));
    }

    void downsamplingKeepsBlockMeans_data() {
        QTest::addColumn<int>("rows");
        QTest::addColumn<int>("cols");
        QTest::newRow("1000x2000") << 1000 << 2000;
        QTest::newRow("64x784") << 64 << 784; // fewer rows than pixels: rows kept as they are
    }
    void downsamplingKeepsBlockMeans() {
        QFETCH(int, rows);
        QFETCH(int, cols);
        HeatmapWidget w;
        w.resize(300, 150);
        const Matrix m = randomMatrix(rows, cols, 42);
        w.setScale(1.0f);
        w.setMatrix(m);
        const Matrix& s = w.sampled();
        const QRect area = w.imageRect();
        QVERIFY(area.width() > 150 && area.height() > 100); // title and colour bar stay small
        QCOMPARE(s.rows(), std::min<Eigen::Index>(rows, area.height()));
        QCOMPARE(s.cols(), std::min<Eigen::Index>(cols, area.width()));
        const Eigen::Index h = s.rows(), wd = s.cols();
        double worst = 0.0;
        for (Eigen::Index i = 0; i < h; ++i) {
            for (Eigen::Index j = 0; j < wd; ++j) {
                const Eigen::Index r0 = i * rows / h, r1 = (i + 1) * rows / h;
                const Eigen::Index c0 = j * cols / wd, c1 = (j + 1) * cols / wd;
                const double mean = m.block(r0, c0, r1 - r0, c1 - c0).cast<double>().sum() /
                                    ((r1 - r0) * (c1 - c0));
                worst = std::max(worst, std::abs(mean - s(i, j)));
            }
        }
        QVERIFY2(worst < 1e-6, qPrintable(QString::number(worst)));
        // Every entry lands in exactly one block, so the grand mean survives too.
        if (rows % h == 0 && cols % wd == 0)
            QVERIFY(std::abs(s.cast<double>().mean() - m.cast<double>().mean()) < 1e-6);
    }

    void resizeResamples() {
        HeatmapWidget w;
        w.resize(300, 150);
        w.setMatrix(randomMatrix(1000, 2000, 1));
        w.show();
        const Eigen::Index before = w.sampled().cols();
        w.resize(500, 300);
        QVERIFY(w.sampled().cols() > before);
        QCOMPARE(w.sampled().cols(), Eigen::Index(w.imageRect().width()));
    }

    void grabIsNotBlank() {
        HeatmapWidget w;
        w.resize(300, 150);
        w.setTitle("W");
        // Smooth structure (a rank-1 ramp) survives block averaging, unlike white noise.
        Matrix m(1000, 2000);
        for (int i = 0; i < 1000; ++i)
            for (int j = 0; j < 2000; ++j) m(i, j) = (i / 500.0f - 1.0f) * (j / 1000.0f - 1.0f);
        w.setScale(0.5f); // the corners saturate
        w.setMatrix(m);
        const QImage img = w.grab().toImage();
        std::set<QRgb> colours;
        int red = 0, blue = 0;
        for (int y = 0; y < img.height(); ++y)
            for (int x = 0; x < img.width(); ++x) {
                const QColor c = img.pixelColor(x, y);
                colours.insert(c.rgb());
                red += isRed(c);
                blue += isBlue(c);
            }
        QVERIFY2(colours.size() > 50, qPrintable(QString::number(colours.size())));
        QVERIFY(red > 100 && blue > 100);
    }

    // The robust scale is the 99th percentile of the finite |values|: outliers, NaN and the
    // sign do not move it; a mostly-zero matrix falls back to its largest magnitude.
    void robustScale_data() {
        QTest::addColumn<Matrix>("m");
        QTest::addColumn<float>("expected");
        Matrix bulk(10, 100); // |values| 0.01, 0.02, …, 10.00 with alternating signs
        for (Eigen::Index i = 0; i < bulk.size(); ++i)
            bulk.data()[i] = float(i + 1) / 100.0f * (i % 2 ? -1.0f : 1.0f);
        QTest::newRow("ramp") << bulk << 9.9f; // index ⌊0.99·999⌋ = 989 of 0.01…10
        Matrix outliers = bulk;
        outliers(0, 0) = 1e6f;
        outliers(9, 99) = -1e6f;
        outliers(5, 5) = std::numeric_limits<float>::quiet_NaN();
        QTest::newRow("outliers and NaN") << outliers << 9.91f; // 0.01, 0.56, 10 gone
        Matrix sparse = Matrix::Zero(10, 100);
        sparse(3, 3) = -2.5f;
        QTest::newRow("mostly zero") << sparse << 2.5f;
        QTest::newRow("empty") << Matrix(0, 0) << 0.0f;
    }
    void robustScale() {
        QFETCH(Matrix, m);
        QFETCH(float, expected);
        QCOMPARE(HeatmapWidget::robustScale(m), expected);
    }

    // The image colours every cell exactly as colorFor does, NaN and saturation included.
    void colorizeMatchesColorFor() {
        Matrix m = randomMatrix(7, 9, 5) * 3.0f;
        m(0, 0) = std::numeric_limits<float>::quiet_NaN();
        m(1, 1) = 0.0f;
        QImage img;
        HeatmapWidget::colorize(m, 1.5f, img);
        QCOMPARE(img.size(), QSize(9, 7));
        for (int i = 0; i < 7; ++i)
            for (int j = 0; j < 9; ++j)
                QCOMPARE(img.pixel(j, i), HeatmapWidget::colorFor(m(i, j), 1.5f));
    }

    // A frame prepared on a worker thread paints exactly what the widget would make itself.
    void preparedFrameMatchesOwnResample() {
        const auto m = std::make_shared<const Matrix>(randomMatrix(1000, 2000, 6));
        HeatmapWidget own, prepared;
        for (HeatmapWidget* w : {&own, &prepared}) {
            w->resize(330, 300);
            w->setScale(0.8f);
        }
        own.setMatrix(m);
        const QSize size = prepared.sampleSize();
        HeatmapWidget::Frame frame =
            QtConcurrent::run([m, size] { return HeatmapWidget::prepare(m, size, 0.8f); }).result();
        QVERIFY(frame.sampled.rows() < 1000 && frame.sampled.cols() < 2000);
        prepared.setFrame(std::move(frame));
        QCOMPARE(&prepared.matrix(), m.get()); // shared, not copied
        QVERIFY(prepared.sampled() == own.sampled());
        QCOMPARE(prepared.grab().toImage(), own.grab().toImage());
    }

    // Prepared for another size or scale, a frame is resampled by the widget instead.
    void misfitFrameIsResampled() {
        const auto m = std::make_shared<const Matrix>(randomMatrix(400, 500, 7));
        HeatmapWidget own, prepared;
        for (HeatmapWidget* w : {&own, &prepared}) {
            w->resize(260, 220);
            w->setScale(1.0f);
        }
        own.setMatrix(m);
        prepared.setFrame(HeatmapWidget::prepare(m, prepared.sampleSize() / 2, 1.0f));
        QVERIFY(prepared.sampled() == own.sampled());
        prepared.setFrame(HeatmapWidget::prepare(m, prepared.sampleSize(), 0.5f));
        QVERIFY(prepared.sampled() == own.sampled());
        QCOMPARE(prepared.grab().toImage(), own.grab().toImage());
    }

    void clearShowsPlaceholder() {
        HeatmapWidget w;
        w.resize(200, 120);
        w.setMatrix(randomMatrix(4, 4, 3));
        w.clear("computing SVD…");
        QCOMPARE(w.matrix().size(), Eigen::Index(0));
        QCOMPARE(w.sampled().size(), Eigen::Index(0));
        QVERIFY(!w.grab().isNull());
    }
};

QTEST_MAIN(TestHeatmapWidget)
#include "tst_heatmap_widget.moc"
