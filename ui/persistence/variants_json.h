#pragma once
// The Init & scaling tab's results in a session file: each compared variant (its spec,
// step losses, accuracy, ‖ΔW‖, parameters) and the rank sweep's points. The trained
// adapters are left out: the tab draws only these numbers.
#include "train/scaling_sweep.h"
#include "train/variants.h"

#include <QJsonObject>
#include <vector>

struct VariantsResult {
    std::vector<lora::VariantRun> runs;
    std::vector<lora::ScalePoint> sweep;
};

QJsonObject variantsToJson(const VariantsResult& result);
// Throws lora::InputError naming the first malformed field.
VariantsResult variantsFromJson(const QJsonObject& json);
