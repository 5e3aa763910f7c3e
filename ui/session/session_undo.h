#pragma once
// Edit → Undo and Redo for what throws work away: Reset, a preset or network change that
// drops the trained models, a new base (trained or loaded) that replaces one with its
// adapters, Delete on an adapter, and Clear runs. Undo puts back the same
// bits (snapshots share the models and copy the adapters). Reset, the settings change and
// Clear runs swap the state in and out, so whatever was made after them (a new base, new
// runs) is kept in the command too and comes back with Redo: nothing is lost either way.
// Also tracks unsaved work: runs or adapters made since the last save or open.
#include "session/run_types.h"

#include <QObject>
#include <QSet>

class AdapterManager;
class ExperimentSession;
class QAction;
class QUndoCommand;
class QUndoStack;
class RunHistory;

class SessionUndo : public QObject {
    Q_OBJECT
public:
    SessionUndo(ExperimentSession* session, RunHistory* history, QObject* parent = nullptr);

    QUndoStack* stack() const { return m_stack; }
    QAction* undoAction() const { return m_undoAction; } // Ctrl+Z, "Undo Reset"
    QAction* redoAction() const { return m_redoAction; } // Ctrl+Shift+Z / Ctrl+Y

    // Runs or adapters were made, or the state was changed by an undoable step, since the
    // last save or open: closing or opening another session would lose them.
    bool hasUnsavedWork() const;
    void markSaved();   // the session was just saved
    void startAfresh(); // a session was just opened: the undo history starts over

public slots:
    bool undo(); // refused while a run is in progress (errorOccurred)
    bool redo();
    // The settings; when they drop the trained models (another network or base task), the
    // change can be undone.
    bool changeSettings(const ExperimentSettings& settings, const QString& what);
    void reset(); // stops, forgets models, adapters and every recorded run
    bool removeAdapter(const QString& name);
    void clearRuns(); // the current experiment's recorded runs

signals:
    void errorOccurred(const QString& message);

private:
    void push(QUndoCommand* command);
    bool refuseWhileRunning();
    void noteAdapters();

    ExperimentSession* m_session;
    RunHistory* m_history;
    QUndoStack* m_stack;
    QAction* m_undoAction;
    QAction* m_redoAction;
    bool m_made = false;        // a run or a new adapter since the last save or open
    QSet<QString> m_savedNames; // the adapters as last saved or opened
};
