#pragma once
// Catastrophic forgetting, measured: from one base trained on an old task, a full fine-tune
// and a LoRA run learn a new task with the same data, seed and schedule. After every epoch
// both are scored on the new task and on the old one (LoRA with its adapter on and off).
// Full fine-tuning rewrites W, so its old-task accuracy falls; LoRA-off computes exactly
// the base, so its old-task accuracy cannot move.
#include "data/dataset.h"
#include "linalg/adapter_analysis.h"
#include "train/trainer.h"

#include <optional>
#include <stop_token>
#include <vector>

namespace lora {

struct ForgettingTasks {
    Dataset newTrain, newTest; // labels remapped to output positions, as for fine-tuning
    Dataset oldTest;           // the base's own task, remapped the same way
};

struct ForgettingPoint {
    int epoch = 0; // 0: before training (both methods are the base)
    float fullNew = 0, fullOld = 0;
    float loraNew = 0, loraOnOld = 0, loraOffOld = 0; // percent
};

// Is the full fine-tune's update low-rank? One layer of ΔW_full = W_tuned − W_base next to
// the LoRA run's ΔW = s·BA of the same layer.
struct LayerUpdate {
    int layer = 0;
    Spectrum full;         // singular values of ΔW_full
    double energyTopR = 0; // share of ‖ΔW_full‖² in its top r (r = the LoRA layer's rank)
    double loraNorm = 0;   // ‖s·BA‖_F, 0 where LoRA does not target the layer
    int loraRank = 0;
};

struct ForgettingResult {
    float baseOld = 0, baseNew = 0; // the base on both tasks
    std::vector<ForgettingPoint> series;
    TrainResult fullRun, loraRun;
    bool stopped = false;
    std::optional<Mlp> fullModel, loraModel; // as trained
    std::vector<LayerUpdate> updates;        // one per layer, after both runs
};

enum class ForgettingRun { Full, Lora }; // full fine-tuning runs first

// Told after each scored epoch; only the fields of `run` are filled in yet.
class ForgettingObserver {
public:
    virtual ~ForgettingObserver() = default;
    virtual void onEpoch(ForgettingRun run, const ForgettingPoint& point) = 0;
};

// InputError for empty data, mismatched widths, or training that diverges.
ForgettingResult measureForgetting(const Mlp& base, const ForgettingTasks& tasks,
                                   const LoraConfig& lora, const TrainOptions& options,
                                   std::uint64_t loraSeed, ForgettingObserver* observer = nullptr,
                                   std::stop_token stop = {});

} // namespace lora
