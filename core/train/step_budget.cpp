#include "train/step_budget.h"

#include <algorithm>
#include <limits>

namespace lora {

TrainOptions withEpochsFor(TrainOptions options, int samples) {
    if (options.maxSteps <= 0) return options;
    const long batch = std::max(1, options.batchSize);
    const long perEpoch = std::max<long>(1, (samples + batch - 1) / batch);
    const long needed = (options.maxSteps + perEpoch - 1) / perEpoch;
    // A step limit near TrainOptions' 2⁴⁰ over a one-batch set would overflow an int.
    const long capped = std::min<long>(needed, std::numeric_limits<int>::max());
    options.epochs = static_cast<int>(std::max<long>(options.epochs, capped));
    return options;
}

} // namespace lora
