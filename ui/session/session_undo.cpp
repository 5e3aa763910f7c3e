#include "session/session_undo.h"

#include "session/adapter_manager.h"
#include "session/experiment_session.h"
#include "session/run_history.h"
#include "session/session_snapshot.h"

#include <QAction>
#include <QUndoCommand>
#include <QUndoStack>

namespace {

// Swaps a snapshot with the live state on every undo and redo. The step itself was done
// before the push, so the first redo (QUndoStack::push calls it) does nothing.
class SwapCommand : public QUndoCommand {
public:
    SwapCommand(ExperimentSession* session, RunHistory* history, SessionSnapshot other,
                const QString& text)
        : QUndoCommand(text), m_session(session), m_history(history), m_other(std::move(other)) {}

    void undo() override { swap(); }
    void redo() override {
        if (m_done) swap();
        m_done = true;
    }

private:
    void swap() {
        SessionSnapshot now = SessionSnapshot::take(*m_session, *m_history, m_other.parts);
        if (!m_other.restore(*m_session, *m_history)) return setObsolete(true);
        m_other = std::move(now);
    }

    ExperimentSession* m_session;
    RunHistory* m_history;
    SessionSnapshot m_other;
    bool m_done = false;
};

// Puts a deleted adapter back where it was, active again if it was. Only for the base it
// belonged to: after Reset or another base the command is dropped (Undo Reset first).
class RemoveAdapterCommand : public QUndoCommand {
public:
    RemoveAdapterCommand(ExperimentSession* session, lora::AdapterEntry entry, int index,
                         bool wasActive)
        : QUndoCommand(QObject::tr("Delete adapter %1").arg(QString::fromStdString(entry.name))),
          m_session(session), m_base(session->baseModel()), m_entry(std::move(entry)),
          m_index(index), m_wasActive(wasActive) {}

    void undo() override {
        AdapterManager* m = m_session->adapters();
        if (!sameBase() || !m->library()) return setObsolete(true);
        // A later run may have taken the name meanwhile ("7v8 r4 α1 2" is free again after
        // the delete): the adapter comes back as "… 2" then rather than not at all.
        m_entry.name = m->library()->uniqueName(m_entry.name);
        if (!m->reinsertAdapter(m_entry, m_index)) return setObsolete(true);
        if (m_wasActive) m->setActiveAdapter(QString::fromStdString(m_entry.name));
    }
    void redo() override {
        if (m_done && (!sameBase() ||
                       !m_session->adapters()->removeAdapter(QString::fromStdString(m_entry.name))))
            return setObsolete(true);
        m_done = true;
    }

private:
    bool sameBase() const {
        if (m_session->baseModel() == m_base) return true;
        emit m_session->errorOccurred(
            QObject::tr("adapter '%1' belonged to another base; it cannot come back to this one")
                .arg(QString::fromStdString(m_entry.name)));
        return false;
    }

    ExperimentSession* m_session;
    ModelPtr m_base;
    lora::AdapterEntry m_entry;
    int m_index;
    bool m_wasActive;
    bool m_done = false;
};

} // namespace

SessionUndo::SessionUndo(ExperimentSession* session, RunHistory* history, QObject* parent)
    : QObject(parent), m_session(session), m_history(history), m_stack(new QUndoStack(this)),
      m_undoAction(new QAction(tr("Undo"), this)), m_redoAction(new QAction(tr("Redo"), this)) {
    m_undoAction->setObjectName("undoAction");
    m_undoAction->setShortcuts(QKeySequence::Undo);
    m_redoAction->setObjectName("redoAction");
    m_redoAction->setShortcuts(QKeySequence::Redo);
    m_undoAction->setEnabled(false);
    m_redoAction->setEnabled(false);
    connect(m_undoAction, &QAction::triggered, this, &SessionUndo::undo);
    connect(m_redoAction, &QAction::triggered, this, &SessionUndo::redo);
    connect(m_stack, &QUndoStack::canUndoChanged, m_undoAction, &QAction::setEnabled);
    connect(m_stack, &QUndoStack::canRedoChanged, m_redoAction, &QAction::setEnabled);
    connect(m_stack, &QUndoStack::undoTextChanged, this, [this](const QString& text) {
        m_undoAction->setText(text.isEmpty() ? tr("Undo") : tr("Undo %1").arg(text));
    });
    connect(m_stack, &QUndoStack::redoTextChanged, this, [this](const QString& text) {
        m_redoAction->setText(text.isEmpty() ? tr("Redo") : tr("Redo %1").arg(text));
    });
    connect(session, &ExperimentSession::runStarted, this, [this] { m_made = true; });
    connect(session, &ExperimentSession::sweepPoint, this, [this] { m_made = true; });
    connect(session, &ExperimentSession::modelsAboutToBeReplaced, this,
            [this](const QString& what) {
                // Pushed before the change: the command's first redo does nothing anyway.
                SessionSnapshot before =
                    SessionSnapshot::take(*m_session, *m_history, SessionSnapshot::Models);
                if (before.holdsWork())
                    push(new SwapCommand(m_session, m_history, std::move(before), what));
            });
    connect(session->adapters(), &AdapterManager::adaptersChanged, this,
            &SessionUndo::noteAdapters);
}

bool SessionUndo::hasUnsavedWork() const {
    // A run in progress counts from its request, not from when the worker reports it: closing
    // throws it away either way (under ASan a RichBoyNet run had reported nothing by 300 ms).
    return m_made || m_session->isRunning() || !m_stack->isClean();
}

void SessionUndo::markSaved() {
    m_made = false;
    const QStringList names = m_session->adapters()->names();
    m_savedNames = QSet<QString>(names.begin(), names.end());
    m_stack->setClean();
}

void SessionUndo::startAfresh() {
    m_stack->clear();
    markSaved();
}

void SessionUndo::noteAdapters() {
    for (const QString& name : m_session->adapters()->names())
        if (!m_savedNames.contains(name)) m_made = true;
}

bool SessionUndo::refuseWhileRunning() {
    if (!m_session->isRunning()) return false;
    emit errorOccurred(tr("a run is in progress; stop it before undoing or redoing"));
    return true;
}

bool SessionUndo::undo() {
    if (!m_stack->canUndo() || refuseWhileRunning()) return false;
    m_stack->undo();
    return true;
}

bool SessionUndo::redo() {
    if (!m_stack->canRedo() || refuseWhileRunning()) return false;
    m_stack->redo();
    return true;
}

void SessionUndo::push(QUndoCommand* command) {
    m_stack->push(command);
}

bool SessionUndo::changeSettings(const ExperimentSettings& settings, const QString& what) {
    // The session's own test for dropping its models (ExperimentSession::setSettings): only
    // then is a snapshot worth its copy of the adapters, not on every slider move.
    const ExperimentSettings& now = m_session->settings();
    const bool drops =
        settings.architecture != now.architecture || settings.baseClasses != now.baseClasses;
    SessionSnapshot before;
    if (drops) before = SessionSnapshot::take(*m_session, *m_history, SessionSnapshot::Models);
    if (!m_session->setSettings(settings)) return false;
    if (drops && before.holdsWork())
        push(new SwapCommand(m_session, m_history, std::move(before), what));
    return true;
}

void SessionUndo::reset() {
    SessionSnapshot before =
        SessionSnapshot::take(*m_session, *m_history, SessionSnapshot::Everything);
    m_session->reset();
    m_history->clear();
    m_history->replay(); // empties the Training and Sweep tabs
    if (before.holdsWork())
        push(new SwapCommand(m_session, m_history, std::move(before), tr("Reset")));
}

bool SessionUndo::removeAdapter(const QString& name) {
    AdapterManager* m = m_session->adapters();
    const lora::AdapterLibrary* library = m->library();
    const lora::AdapterEntry* entry = library ? library->find(name.toStdString()) : nullptr;
    if (!entry) return m->removeAdapter(name); // refused with the manager's message
    lora::AdapterEntry copy = *entry;
    const int index = static_cast<int>(entry - library->entries().data());
    const bool wasActive = name == m->activeName();
    if (!m->removeAdapter(name)) return false;
    push(new RemoveAdapterCommand(m_session, std::move(copy), index, wasActive));
    return true;
}

void SessionUndo::clearRuns() {
    if (m_history->runCount(m_history->experiment()) == 0) return;
    SessionSnapshot before =
        SessionSnapshot::take(*m_session, *m_history, SessionSnapshot::History);
    m_history->clearExperiment();
    push(new SwapCommand(m_session, m_history, std::move(before), tr("Clear runs")));
}
