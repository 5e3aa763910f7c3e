#include "session/session_snapshot.h"

#include "session/adapter_manager.h"
#include "session/experiment_session.h"

#include <algorithm>

SessionSnapshot SessionSnapshot::take(const ExperimentSession& session, const RunHistory& history,
                                      int parts) {
    SessionSnapshot s;
    s.parts = parts;
    if (parts & Models) {
        s.contents = session.snapshot();
        s.data = session.data();
        s.library = session.adapters()->sharedLibrary();
    }
    if (parts & History) s.history = history.recorded();
    return s;
}

bool SessionSnapshot::holdsWork() const {
    return ((parts & Models) && (contents.base || contents.full || !contents.adapters.empty())) ||
           ((parts & History) && (!history.runs.empty() || !history.sweep.points.empty()));
}

bool SessionSnapshot::restore(ExperimentSession& session, RunHistory& history) const {
    if (parts & Models) {
        // Run ids go on after every id the history ever held, so no new run replaces a curve.
        const int lastRunId = std::max(history.lastRunId(), this->history.lastRunId());
        if (!session.restore(contents, data, lastRunId, library)) return false;
    }
    if (parts & History) {
        history.restore(this->history);
        history.replay();
    }
    return true;
}
