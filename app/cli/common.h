#pragma once
// Pieces every lora-cli sub-command shares: data loading, class selection, JSON output.
#include "cli/args.h"
#include "cli/commands.h"
#include "data/class_task.h"
#include "data/idx.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lora::cli {

using Json = nlohmann::json;

// Train and test splits restricted to `classes` (labels remapped to their position).
using TaskData = ClassTask;
TaskData loadTask(const Args& args, const std::vector<int>& classes);

// Progress lines go to stderr so stdout stays one JSON object.
void logLine(const std::string& text);
void printResult(const Json& result);

Json epochSeries(const std::vector<EpochProgress>& epochs);

// The digits behind the base's outputs: recorded in the file, else 0..9 for ten outputs.
std::vector<int> modelClasses(const ModelInfo& info, const Mlp& model);
// --classes if given, else the base's own; their count must match the base's outputs.
std::vector<int> chooseClasses(const Args& args, const LoadedModel& base);

// --epochs (default `epochs`) --batch --lr --optimizer --max-steps; the shuffling seed is
// --seed + 1, a stream apart from the initialisation's. Also applies --threads.
TrainOptions trainOptionsFrom(const Args& args, int epochs);

// With --settings FILE, `given` plus the file's values for the flags it does not give: the
// base's task and epochs for train, the fine-tuning task, LoRA and epochs for finetune.
enum class SettingsRole { Base, FineTune };
Args withSettingsDefaults(const Args& given, SettingsRole role);
// --rank (default `rank`), checked against LoraSpec's one limit.
int rankFrom(const Args& args, int rank);
// --targets as layer names; empty (every layer) without the flag or for "all".
std::vector<std::string> targetsFrom(const Args& args);
// --rank --alpha --rslora --init --targets.
LoraConfig loraConfigFrom(const Args& args);

// The matrix named by --matrix FILE [--tensor NAME] or --example NAME (exactly one).
Matrix chooseMatrix(const Args& args);

// --dtype keep|f32|f16|bf16 of the LoRA file commands: none for keep (each tensor as read).
std::optional<TensorDType> dtypeFrom(const Args& args);

} // namespace lora::cli
