#include "data/class_task.h"

#include "data/classes.h"
#include "util/error.h"

namespace lora {

ClassTask classTask(const SplitData& data, const std::vector<int>& classes) {
    ClassTask task{classes, filterClassesRemap(data.train, classes),
                   filterClassesRemap(data.test, classes)};
    if (task.test.size() == 0)
        throw InputError("the test split of " + data.source + " holds no images of classes " +
                         formatClasses(classes));
    return task;
}

} // namespace lora
