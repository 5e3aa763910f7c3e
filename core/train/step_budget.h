#pragma once
// Runs measured in steps (batches), not epochs: the Init & scaling and Subspaces panels and
// `lora-cli variants` / `scaling` give a step count, and a 7-vs-8 split of the embedded digits
// is only ~26 batches long, so a 300-step run needs 12 epochs.
#include "train/trainer.h"

namespace lora {

// `options` with its epochs raised (never lowered) until the step limit, not the data, ends a
// run over `samples` training samples. Unchanged without a step limit (maxSteps ≤ 0).
TrainOptions withEpochsFor(TrainOptions options, int samples);

} // namespace lora
