#pragma once
// The "history" object of a session file: every recorded run's raw batch losses, per-epoch
// validation and result, and the sweep's points. JSON has no NaN: a diverged loss or an
// accuracy never measured is written as null and read back as NaN.
#include "session/run_history.h"

#include <QJsonObject>

QJsonObject historyToJson(const RecordedHistory& history);
// Throws lora::InputError naming the first malformed entry ("history.runs[2].kind must be
// base, lora or full, not …").
RecordedHistory historyFromJson(const QJsonObject& json);
