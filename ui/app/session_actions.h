#pragma once
// File → Save session…, Open session… and Open recent: gathers the session's state, the
// recorded curves and the panels' control values into a session folder (session_file.h),
// and puts all of them back when one is opened. Everything is checked before anything
// changes, so a broken session file leaves the window as it was. Before work would be
// lost (opening another session, quitting) it asks Save / Discard / Cancel, and only when
// there are runs or adapters not yet saved.
#include <QObject>
#include <QStringList>

class ExperimentSession;
class InsightTabs;
class QAction;
class QMenu;
class QTabWidget;
class QWidget;
class RunHistory;
class SessionUndo;

class SessionActions : public QObject {
    Q_OBJECT
public:
    struct Views {
        ExperimentSession* session = nullptr;
        RunHistory* history = nullptr;
        QTabWidget* tabs = nullptr; // the panels whose controls are saved
        InsightTabs* insights = nullptr;
        SessionUndo* undo = nullptr; // told of saves and opens; knows of unsaved work
    };
    static constexpr int kMaxRecent = 8;

    SessionActions(const Views& views, QWidget* window);

    QAction* saveAction() const { return m_save; }
    QAction* openAction() const { return m_open; }
    QMenu* recentMenu() const { return m_recent; }
    QStringList recentSessions() const; // session folders, newest first

    // True when nothing unsaved would be lost, or the user saved or chose Discard; false
    // for Cancel (or a save that was cancelled or failed). `action` names what would lose
    // the work: "Quit", "Open session".
    bool mayDiscardWork(const QString& action);

public slots:
    bool saveInteractively(); // asks for a folder; false if none was chosen
    bool saveTo(const QString& dir);
    bool openFrom(const QString& path); // a session folder or its session.json

signals:
    void errorOccurred(const QString& message);
    void statusMessage(const QString& message);

private:
    void remember(const QString& folder);
    void forget(const QString& folder);
    void rebuildRecentMenu();

    Views m_views;
    QWidget* m_window;
    QAction* m_save;
    QAction* m_open;
    QMenu* m_recent;
};
