#include "app/session_actions.h"

#include "app/insight_tabs.h"
#include "data/idx.h"
#include "persistence/control_values.h"
#include "persistence/run_history_json.h"
#include "persistence/session_file.h"
#include "session/experiment_session.h"
#include "session/session_undo.h"
#include "util/error.h"

#include <QAction>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QTabWidget>
#include <exception>

namespace {

const QString kRecentKey = QStringLiteral("sessions/recent");

// The embedded digits live as long as the program; the pointer must not free them.
DataPtr embeddedData() {
    return DataPtr(&lora::loadEmbeddedMnist(), [](const lora::SplitData*) {});
}

} // namespace

SessionActions::SessionActions(const Views& views, QWidget* window)
    : QObject(window), m_views(views), m_window(window),
      m_save(new QAction(tr("Save session…"), this)),
      m_open(new QAction(tr("Open session…"), this)),
      m_recent(new QMenu(tr("Open recent session"), window)) {
    m_save->setObjectName("saveSessionAction");
    m_save->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    m_save->setToolTip(tr("Save settings, models, adapters and curves to a folder to share"));
    m_open->setObjectName("openSessionAction");
    m_open->setShortcut(QKeySequence(tr("Ctrl+Shift+O")));
    m_recent->setObjectName("recentSessionsMenu");
    connect(m_save, &QAction::triggered, this, &SessionActions::saveInteractively);
    connect(m_open, &QAction::triggered, this, [this] {
        if (!mayDiscardWork(tr("Open session"))) return;
        const QString path = QFileDialog::getOpenFileName(
            m_window, tr("Open session"), QString(), tr("LoRA Explorer session (session.json)"));
        if (!path.isEmpty()) openFrom(path);
    });
    connect(m_recent, &QMenu::aboutToShow, this, &SessionActions::rebuildRecentMenu);
    rebuildRecentMenu();
}

QStringList SessionActions::recentSessions() const {
    return QSettings().value(kRecentKey).toStringList();
}

bool SessionActions::saveInteractively() {
    const QString dir = QFileDialog::getSaveFileName(
        m_window, tr("Save session (a folder holding session.json and its models)"),
        QStringLiteral("lora-session"));
    return !dir.isEmpty() && saveTo(dir);
}

bool SessionActions::mayDiscardWork(const QString& action) {
    if (!m_views.undo || !m_views.undo->hasUnsavedWork()) return true;
    // Modal on purpose: the window must not close or change under the question.
    QMessageBox box(QMessageBox::Warning, action,
                    tr("This session has runs or adapters that are not saved."),
                    QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, m_window);
    box.setObjectName("unsavedWorkDialog");
    box.setInformativeText(tr("Save them before you go on? (%1)").arg(action));
    box.setDefaultButton(QMessageBox::Save);
    box.setEscapeButton(QMessageBox::Cancel);
    switch (box.exec()) {
    case QMessageBox::Save:
        return saveInteractively();
    case QMessageBox::Discard:
        return true;
    default:
        return false;
    }
}

bool SessionActions::saveTo(const QString& dir) {
    SessionContents contents = m_views.session->snapshot();
    contents.history = historyToJson(m_views.history->recorded());
    contents.controls = captureControls(m_views.tabs);
    contents.currentTab = m_views.tabs->currentIndex();
    contents.insights = m_views.insights->results();
    try {
        writeSessionFolder(dir, contents);
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(lora::errorText(e)));
        return false;
    }
    remember(QFileInfo(dir).absoluteFilePath());
    if (m_views.undo) m_views.undo->markSaved();
    emit statusMessage(tr("session saved to %1").arg(QDir::toNativeSeparators(dir)));
    return true;
}

bool SessionActions::openFrom(const QString& path) {
    if (m_views.session->isRunning()) {
        emit errorOccurred(tr("a run is in progress; stop it before opening a session"));
        return false;
    }
    SessionContents contents;
    RecordedHistory recorded;
    try {
        if (!QFileInfo::exists(path)) {
            const QFileInfo gone(path);
            forget(gone.fileName() == QLatin1String("session.json") ? gone.absolutePath()
                                                                    : gone.absoluteFilePath());
            throw lora::InputError("the session " + path.toStdString() + " no longer exists");
        }
        contents = readSessionFolder(path);
        const std::string json = QDir(sessionFolderOf(path)).filePath("session.json").toStdString();
        try {
            recorded = historyFromJson(contents.history);
            checkControls(m_views.tabs, contents.controls);
            InsightTabs::checkResults(contents.insights);
        } catch (const lora::InputError& e) {
            throw lora::InputError(json + ": " + e.what());
        }
    } catch (const std::exception& e) {
        emit errorOccurred(QString::fromStdString(lora::errorText(e)));
        return false;
    }
    // A session from someone else's machine may name a dataset folder that is not here;
    // the embedded digits still show what they saw on the same task.
    DataPtr data = embeddedData();
    QString note;
    if (!contents.datasetDir.isEmpty()) {
        try {
            data = std::make_shared<const lora::SplitData>(
                lora::loadMnistFolder(contents.datasetDir.toStdString()));
        } catch (const std::exception& e) {
            note = tr(" (its dataset could not be read: %1; using the embedded digits)")
                       .arg(QString::fromStdString(lora::errorText(e)));
        }
    }
    if (!m_views.session->restore(contents, data, recorded.lastRunId())) return false;
    m_views.history->restore(std::move(recorded));
    m_views.history->replay();
    restoreControls(m_views.tabs, contents.controls);
    m_views.insights->showResults(contents.insights);
    if (contents.currentTab >= 0 && contents.currentTab < m_views.tabs->count())
        m_views.tabs->setCurrentIndex(contents.currentTab);
    if (m_views.undo) m_views.undo->startAfresh();
    const QString folder = sessionFolderOf(path);
    remember(folder);
    emit statusMessage(tr("opened session %1%2").arg(QDir::toNativeSeparators(folder), note));
    return true;
}

void SessionActions::remember(const QString& folder) {
    QStringList list = recentSessions();
    list.removeAll(folder);
    list.prepend(folder);
    while (list.size() > kMaxRecent) list.removeLast();
    // The menu is rebuilt when it next opens: rebuilding now could delete the very action
    // whose triggered() signal brought us here.
    QSettings().setValue(kRecentKey, list);
}

void SessionActions::forget(const QString& folder) {
    QStringList list = recentSessions();
    list.removeAll(folder);
    // The menu is rebuilt when it next opens: rebuilding now could delete the very action
    // whose triggered() signal brought us here.
    QSettings().setValue(kRecentKey, list);
}

void SessionActions::rebuildRecentMenu() {
    m_recent->clear();
    const QStringList list = recentSessions();
    for (int i = 0; i < list.size(); ++i) {
        const QString folder = list[i];
        QAction* a = m_recent->addAction(
            QStringLiteral("&%1 %2").arg(i + 1).arg(QDir::toNativeSeparators(folder)));
        a->setObjectName(QStringLiteral("recentSession%1").arg(i + 1));
        connect(a, &QAction::triggered, this, [this, folder] {
            if (mayDiscardWork(tr("Open session"))) openFrom(folder);
        });
    }
    if (list.isEmpty()) m_recent->addAction(tr("(none yet)"))->setEnabled(false);
}
