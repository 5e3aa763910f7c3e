#pragma once
// A whole session as values, for Edit → Undo: the session's state (settings, dataset,
// base, full model, adapters with the active one and its merge, the LoRA toggle) and the
// recorded runs. Models are shared pointers to const and adapters are copied, so putting
// a snapshot back gives the same bits, not a retrained or re-read copy; the adapter library
// itself is kept, so putting it back costs neither a copy of the base nor a second merge.
#include "session/run_history.h"
#include "session/session_contents.h"

class ExperimentSession;

struct SessionSnapshot {
    enum Part { Models = 1, History = 2, Everything = Models | History };

    int parts = Everything;
    SessionContents contents; // settings, models, adapters
    DataPtr data;
    // The adapter library as it was (null while a new base's was still being copied): the
    // session lets it go when its base goes, so the snapshot is then its only owner.
    std::shared_ptr<lora::AdapterLibrary> library;
    RecordedHistory history;

    static SessionSnapshot take(const ExperimentSession& session, const RunHistory& history,
                                int parts);
    // True when the session holds something this snapshot would lose if it were dropped.
    bool holdsWork() const;
    // Puts the parts back; false (the session's errorOccurred) when the session refuses,
    // e.g. while a run is in progress, and then nothing changes.
    bool restore(ExperimentSession& session, RunHistory& history) const;
};
