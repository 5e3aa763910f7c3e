#pragma once
// What the controls dock may offer for given settings: the largest useful rank of the next
// run (min(in, out) of the widest targeted layer, within the model budget) and the largest
// batch, and the class lists that fit a new output count.
#include "session/experiment_settings.h"

#include <QString>

struct SettingsLimits {
    int maxRank = 1;
    int maxBatch = 1;
};

// `maxRank`/`maxBatch` are the controls' own ceilings; an architecture that does not parse
// leaves them (validate() names the problem when it is committed).
SettingsLimits limitsFor(const ExperimentSettings& s, int maxRank, int maxBatch);

// A new output count would otherwise leave no valid way to edit the class lists one field at
// a time; the first k digits are the natural default (all ten for a 10-way head).
void fitClassesToOutputs(ExperimentSettings& s);

// The warning for a rank above min(in, out) of a targeted layer (legal, but it adds
// parameters and no expressiveness): one line naming the layers and a tooltip with details;
// both empty when there is nothing to warn about.
struct RankWarningText {
    QString text;
    QString details;
};
RankWarningText rankWarning(const ExperimentSettings& s);
