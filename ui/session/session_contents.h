#pragma once
// Everything a saved session holds, as plain values: what ExperimentSession::snapshot()
// gives and restore() takes, and what persistence/session_file.h writes and reads. The
// window adds the recorded curves, the panels' controls and the tabs' results as JSON.
#include "session/experiment_settings.h"
#include "session/run_types.h"
#include "train/adapter_library.h"

#include <QJsonObject>
#include <QString>
#include <vector>

struct SessionContents {
    ExperimentSettings settings;
    QString datasetDir; // empty: the embedded digits
    bool loraEnabled = true;
    ModelPtr base, full; // either may be null; full needs base
    std::vector<lora::AdapterEntry> adapters;
    QString activeAdapter; // empty: none
    bool merged = false;
    QJsonObject history;  // RunHistory::toJson
    QJsonObject controls; // captureControls of the panels
    QJsonObject insights; // InsightTabs::results
    int currentTab = 0;
};
