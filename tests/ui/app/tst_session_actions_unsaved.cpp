// SessionActions asks before unsaved work would be lost, through the real window
// (offscreen) with its dialogs answered as a user would (modal_answer.h): closing with a run
// not yet saved asks Save / Discard / Cancel and does what the answer says; Open session…
// asks before its file dialog; nothing asks when nothing would be lost.
#include "app/main_window.h"
#include "app/session_actions.h"
#include "modal_answer.h"
#include "session/experiment_session.h"
#include "window_runs.h"

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using lora::test::Answer;
using lora::test::chooseFile;
using lora::test::clickButton;
using lora::test::ModalAnswerer;

Q_DECLARE_METATYPE(Answer)

using lora::test::trainAndWait;

namespace {} // namespace

class TestSessionActionsUnsaved : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // QSettings go to a throwaway place
        QCoreApplication::setOrganizationName("lora-explorer-tests");
        QCoreApplication::setApplicationName("tst_session_actions_unsaved");
    }
    void init() { QSettings().clear(); }

    // Closing with a run not yet saved asks Save / Discard / Cancel. Cancel, or Save with
    // the folder dialog cancelled, keeps the window and its work; Discard closes; Save
    // writes the session first. Nothing is thrown away before the answer.
    void closingWithUnsavedWorkAsks_data() {
        QTest::addColumn<Answer>("folderAnswer");
        QTest::addColumn<int>("answer");
        QTest::addColumn<bool>("closes");
        const Answer none = [](QWidget*) {};
        const Answer cancelFolder = [](QWidget* w) {
            if (auto* d = qobject_cast<QFileDialog*>(w)) d->reject();
        };
        QTest::addRow("Cancel") << none << int(QMessageBox::Cancel) << false;
        QTest::addRow("Discard") << none << int(QMessageBox::Discard) << true;
        QTest::addRow("Save") << Answer() << int(QMessageBox::Save) << true;
        QTest::addRow("Save, folder dialog cancelled")
            << cancelFolder << int(QMessageBox::Save) << false;
    }
    void closingWithUnsavedWorkAsks() {
        QFETCH(Answer, folderAnswer);
        QFETCH(int, answer);
        QFETCH(bool, closes);
        QTemporaryDir tmp;
        const QString folder = tmp.filePath("saved");
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(trainAndWait(w, "trainBaseAction"));
        const ModelPtr base = w.session()->baseModel();
        QMessageBox::StandardButtons offered;
        const Answer ask = [&](QWidget* widget) {
            auto* box = qobject_cast<QMessageBox*>(widget);
            if (!box) return;
            offered = box->standardButtons();
            clickButton(QMessageBox::StandardButton(answer))(box);
        };
        ModalAnswerer answerer({ask, folderAnswer ? folderAnswer : chooseFile(folder)});
        QCOMPARE(w.close(), closes);
        QCOMPARE(offered, QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel);
        QCOMPARE(answerer.seen().value(0), QString("QMessageBox"));
        const bool save = answer == QMessageBox::Save;
        QCOMPARE(answerer.seen().value(1), save ? QString("QFileDialog") : QString());
        QCOMPARE(QFile::exists(folder + "/session.json"), save && closes);
        QCOMPARE(w.isVisible(), !closes);
        QVERIFY(w.session()->baseModel() == base);
    }

    // Nothing asks when nothing would be lost: a fresh window, a window whose work was
    // saved, and one just opened on a session.
    void nothingAsksWithNothingToLose() {
        QTemporaryDir tmp;
        const QString folder = tmp.filePath("s");
        {
            MainWindow fresh;
            fresh.show();
            ModalAnswerer answerer({});
            QVERIFY(fresh.close());
            QCOMPARE(answerer.asked(), 0);
        }
        {
            MainWindow saved;
            saved.show();
            QVERIFY(trainAndWait(saved, "trainBaseAction"));
            QVERIFY(saved.sessionActions()->saveTo(folder));
            ModalAnswerer answerer({});
            QVERIFY(saved.close());
            QCOMPARE(answerer.asked(), 0);
        }
        MainWindow opened;
        opened.show();
        QVERIFY(opened.sessionActions()->openFrom(folder));
        ModalAnswerer answerer({});
        QVERIFY(opened.close());
        QCOMPARE(answerer.asked(), 0);
    }

    // Open session… with unsaved work asks first; Cancel leaves the window as it was and
    // no file dialog opens.
    void openSessionAsksFirst() {
        MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(trainAndWait(w, "trainBaseAction"));
        const ModelPtr base = w.session()->baseModel();
        ModalAnswerer answerer({clickButton(QMessageBox::Cancel)});
        w.action("openSessionAction")->trigger();
        QCOMPARE(answerer.seen(), QStringList{"QMessageBox"});
        QVERIFY(w.session()->baseModel() == base);
    }
};

QTEST_MAIN(TestSessionActionsUnsaved)
#include "tst_session_actions_unsaved.moc"
