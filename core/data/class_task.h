#pragma once
// One task of the tutorials: the train and test splits cut to some digits, relabelled by
// their position in the list. The CLI and the GUI both build their tasks here, so a split that
// holds none of the digits is refused alike, before any training.
#include "data/dataset.h"
#include "data/idx.h"

#include <vector>

namespace lora {

struct ClassTask {
    std::vector<int> classes;
    Dataset train, test;
};

// InputError "the test split of <source> holds no images of classes 7,8" when the test split
// holds none: an accuracy of nothing would read as 0.00 %.
ClassTask classTask(const SplitData& data, const std::vector<int>& classes);

} // namespace lora
