#pragma once
// What travels between the GUI thread and the training worker. Everything is a value or a
// shared pointer to const: the worker hands out immutable snapshots, never live state.
#include "data/idx.h"
#include "nn/mlp.h"
#include "session/experiment_settings.h"
#include "train/trainer.h"

#include <QMetaType>
#include <QString>
#include <memory>
#include <vector>

enum class RunKind { Base, Lora, Full };

using ModelPtr = std::shared_ptr<const lora::Mlp>;
using DataPtr = std::shared_ptr<const lora::SplitData>;

struct RunRequest {
    int runId = 0;
    RunKind kind = RunKind::Base;
    ExperimentSettings settings;
    ModelPtr base; // required for Lora and Full
    DataPtr data;
};

// Batch losses since the last report; reports are throttled to at most 30 per second.
struct StepBatch {
    int runId = 0;
    long firstStep = 0;        // global step of losses[0], 1-based
    std::vector<float> losses; // one per batch
    int epoch = 0;
    long stepsDone = 0, stepsTotal = 0;
    double samplesPerSecond = 0, etaSeconds = 0;
};

struct EpochUpdate {
    int runId = 0;
    RunKind kind = RunKind::Base;
    lora::EpochProgress progress;
};

struct RunOutcome {
    int runId = 0;
    RunKind kind = RunKind::Base;
    QString label;  // "base 784-64-2", "LoRA r4 α1", "full fine-tune"
    ModelPtr model; // the trained network (base + adapter for Lora), a snapshot
    lora::TrainResult result;
    float testAccuracy = 0; // percent, on the run's task test split
};

struct SweepRequest {
    int runId = 0;
    ExperimentSettings settings;
    ModelPtr base;
    DataPtr data;
    std::vector<int> ranks;    // trained at settings.alpha
    std::vector<float> alphas; // trained at settings.rank
};

struct SweepPoint {
    int runId = 0;
    bool rankAxis = true; // false: an alpha point
    int rank = 0;
    float alpha = 0;
    long trainableParams = 0;
    float accuracy = 0; // percent, target task test split
    double seconds = 0;
};

Q_DECLARE_METATYPE(RunRequest)
Q_DECLARE_METATYPE(StepBatch)
Q_DECLARE_METATYPE(EpochUpdate)
Q_DECLARE_METATYPE(RunOutcome)
Q_DECLARE_METATYPE(SweepRequest)
Q_DECLARE_METATYPE(SweepPoint)
