// The first-run hint through the assembled window: shown on a first launch above the panels,
// saying where to start and where the pace is; "Got it" hides it, and it stays hidden in the
// next window.
#include "app/first_run_hint.h"
#include "app/main_window.h"

#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

class TestFirstRunHint : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_first_run_hint");
        QSettings().clear();
    }

    void shownOnceUntilDismissed() {
        {
            MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            auto* hint = w.findChild<FirstRunHint*>("firstRunHint");
            QVERIFY(hint && hint->isVisible());
            const QString text = w.findChild<QLabel*>("firstRunHintText")->text();
            QVERIFY(text.contains("Train base") && text.contains("Train → Pace"));
            QTest::mouseClick(w.findChild<QPushButton*>("firstRunHintDismiss"), Qt::LeftButton);
            QVERIFY(!hint->isVisible());
            QVERIFY(FirstRunHint::wasDismissed());
        }
        MainWindow again;
        again.show();
        QVERIFY(!again.findChild<FirstRunHint*>("firstRunHint")->isVisible());
        FirstRunHint::forget();
        MainWindow third;
        third.show();
        QVERIFY(third.findChild<FirstRunHint*>("firstRunHint")->isVisible());
    }
};

QTEST_MAIN(TestFirstRunHint)
#include "tst_first_run_hint.moc"
