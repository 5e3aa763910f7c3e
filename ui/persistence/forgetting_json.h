#pragma once
// A Forgetting run's result in a session file: the base's scores, the per-epoch series of
// both methods and the per-layer spectra of ΔW_full — all the panel draws. The trained
// models are left out (the session keeps its own base and adapters).
#include "train/forgetting.h"

#include <QJsonObject>

QJsonObject forgettingToJson(const lora::ForgettingResult& result);
// Throws lora::InputError naming the first malformed field ("insights.forgetting.series[1]
// .full_old must be a number or null").
lora::ForgettingResult forgettingFromJson(const QJsonObject& json);
