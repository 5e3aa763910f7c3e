// ChartView exports: PNG, SVG and CSV round trips into a temporary folder, the CSV's column
// pairs, quoting and padding, bar charts as a category table, and a failed write (missing
// folder) returning false with a one-line message and leaving no file behind.
#include "widgets/chart_view.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QDir>
#include <QFile>
#include <QHorizontalBarSeries>
#include <QImage>
#include <QLineSeries>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>

namespace {

QString readText(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// "loss" with three points and a one-point series whose name needs CSV quoting.
QChart* lineChart() {
    auto* chart = new QChart;
    chart->setTitle("Training loss");
    auto* loss = new QLineSeries;
    loss->setName("loss");
    loss->append({{1, 0.5}, {2, 0.25}, {3, 0.125}});
    auto* accuracy = new QLineSeries;
    accuracy->setName("valid, \"acc\"");
    accuracy->append(1, 97.5);
    chart->addSeries(loss);
    chart->addSeries(accuracy);
    chart->createDefaultAxes();
    return chart;
}

} // namespace

class TestChartView : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void csvColumnsAndPadding() {
        ChartView view(lineChart());
        QCOMPARE(view.csv(),
                 QString("loss x,loss y,\"valid, \"\"acc\"\" x\",\"valid, \"\"acc\"\" y\"\n"
                         "1,0.5,1,97.5\n"
                         "2,0.25,,\n"
                         "3,0.125,,\n"));
    }

    void csvOfEmptyChart() {
        ChartView view(new QChart);
        QCOMPARE(view.csv(), QString("\n"));
        auto* chart = new QChart;
        chart->addSeries(new QLineSeries); // unnamed and empty
        ChartView unnamed(chart);
        QCOMPARE(unnamed.csv(), QString("series x,series y\n"));
    }

    // Bar charts have no XY series; their CSV is one row per category, one column per set.
    void csvOfBarChart() {
        auto* full = new QBarSet("full fine-tune");
        auto* lora = new QBarSet("LoRA");
        full->append({130, 50240});
        lora->append({264, 3392});
        auto* series = new QHorizontalBarSeries;
        series->append(full);
        series->append(lora);
        auto* chart = new QChart;
        chart->addSeries(series);
        auto* axis = new QBarCategoryAxis;
        axis->append({"fc2", "fc1"});
        chart->addAxis(axis, Qt::AlignLeft);
        series->attachAxis(axis);
        ChartView view(chart);
        QCOMPARE(view.csv(), QString("category,full fine-tune,LoRA\n"
                                     "fc2,130,264\n"
                                     "fc1,50240,3392\n"));
    }

    void roundTrips_data() {
        QTest::addColumn<QString>("format");
        QTest::newRow("png") << "png";
        QTest::newRow("svg") << "svg";
        QTest::newRow("csv") << "csv";
    }
    void roundTrips() {
        QFETCH(QString, format);
        ChartView view(lineChart());
        view.resize(400, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QSizeF before = view.chart()->size();
        const QString path = m_dir.filePath("chart." + format);
        QString error;
        const bool ok = format == "png"   ? view.savePng(path, &error)
                        : format == "svg" ? view.saveSvg(path, &error)
                                          : view.saveCsv(path, &error);
        QVERIFY2(ok, qPrintable(error));
        QVERIFY(error.isEmpty());
        QVERIFY(QFile::exists(path));
        if (format == "png") {
            const QImage image(path);
            QVERIFY(!image.isNull());
            // The export size whatever the view's (it was 972×236 for a squeezed chart): laid
            // out anew for it, so the plot reaches across, and the screen layout restored.
            QCOMPARE(image.size(), ChartView::kExportSize);
            QCOMPARE(view.chart()->size(), before);
            int inkRight = 0;
            for (int y = 0; y < image.height(); ++y)
                for (int x = 1000; x < image.width(); ++x)
                    if (qGray(image.pixel(x, y)) < 200) ++inkRight;
            QVERIFY2(inkRight > 50, qPrintable(QString::number(inkRight)));
            QVERIFY(image.save("/tmp/export-look.png"));
            // Not a blank canvas: the grabbed chart has more than one colour.
            QSet<QRgb> colours;
            for (int y = 0; y < image.height(); y += 7)
                for (int x = 0; x < image.width(); x += 7) colours.insert(image.pixel(x, y));
            QVERIFY(colours.size() > 2);
        } else if (format == "svg") {
            const QString svg = readText(path);
            QVERIFY(svg.contains("<svg"));
            QVERIFY(svg.contains("<title>Training loss</title>"));
            QVERIFY(svg.contains("</svg>"));
        } else {
            QCOMPARE(readText(path), view.csv());
        }
        // Writing again replaces the file atomically and leaves no temporary beside it.
        QVERIFY(format == "png"   ? view.savePng(path)
                : format == "svg" ? view.saveSvg(path)
                                  : view.saveCsv(path));
        QCOMPARE(QDir(m_dir.path()).entryList({"chart." + format + "*"}, QDir::Files),
                 QStringList{"chart." + format});
    }

    void missingFolderFails_data() { roundTrips_data(); }
    void missingFolderFails() {
        QFETCH(QString, format);
        ChartView view(lineChart());
        view.resize(300, 200);
        const QString path = m_dir.filePath("no/such/folder/chart." + format);
        QString error;
        const bool ok = format == "png"   ? view.savePng(path, &error)
                        : format == "svg" ? view.saveSvg(path, &error)
                                          : view.saveCsv(path, &error);
        QVERIFY(!ok);
        QVERIFY(!error.isEmpty());
        QVERIFY2(!error.contains('\n'), qPrintable(error));
        QVERIFY2(error.contains("chart." + format), qPrintable(error)); // names the path
        QVERIFY(!QFile::exists(path));
        QVERIFY(!QDir(m_dir.filePath("no")).exists());
        // Without an error pointer it still fails quietly.
        QVERIFY(!(format == "png"   ? view.savePng(path)
                  : format == "svg" ? view.saveSvg(path)
                                    : view.saveCsv(path)));
    }
};

QTEST_MAIN(TestChartView)
#include "tst_chart_view.moc"
