// ModuleGridWidget: a click on a cell with a module emits its row and column and marks it;
// a click on an empty (NaN) cell or outside the cells does nothing.
#include "inspector/module_grid_widget.h"

#include <QSignalSpy>
#include <QtTest>
#include <cmath>

class TestModuleGridWidget : public QObject {
    Q_OBJECT
private slots:
    void clicks_data() {
        QTest::addColumn<int>("row");
        QTest::addColumn<int>("column");
        QTest::addColumn<bool>("emitted");
        QTest::newRow("a module") << 1 << 2 << true;
        QTest::newRow("first cell") << 0 << 0 << true;
        QTest::newRow("no module there") << 0 << 1 << false;
    }
    void clicks() {
        QFETCH(int, row);
        QFETCH(int, column);
        QFETCH(bool, emitted);
        ModuleGridWidget w;
        Eigen::MatrixXd values(2, 3);
        values << 1, NAN, 3, 4, 5, 6;
        w.setGrid({"layers.0", "layers.1"}, {"q", "k", "v"}, values);
        w.resize(500, 300);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy clicked(&w, &ModuleGridWidget::cellClicked);
        const QRect cell = w.cellRect(row, column);
        QVERIFY(cell.width() > 4 && cell.height() > 4);
        QTest::mouseClick(&w, Qt::LeftButton, {}, cell.center());
        QCOMPARE(clicked.count(), emitted ? 1 : 0);
        if (emitted) {
            QCOMPARE(clicked.front().at(0).toInt(), row);
            QCOMPARE(clicked.front().at(1).toInt(), column);
        }
        QTest::mouseClick(&w, Qt::LeftButton, {}, QPoint(2, 2)); // the label corner
        QCOMPARE(clicked.count(), emitted ? 1 : 0);
    }
};

QTEST_MAIN(TestModuleGridWidget)
#include "tst_module_grid_widget.moc"
