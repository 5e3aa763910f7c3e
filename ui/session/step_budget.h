#pragma once
// The panels' "Steps" are batches, not epochs: a 7-vs-8 split of the embedded digits is only
// ~26 batches long, so a 300-step run needs 12 epochs. This raises the epoch count until the
// step limit, not the data, ends a run.
#include "train/trainer.h"

#include <algorithm>

inline lora::TrainOptions withEpochsFor(lora::TrainOptions options, int samples) {
    const long batch = std::max(1, options.batchSize);
    const long perEpoch = std::max<long>(1, (samples + batch - 1) / batch);
    if (options.maxSteps > 0)
        options.epochs =
            int(std::max<long>(options.epochs, (options.maxSteps + perEpoch - 1) / perEpoch));
    return options;
}
