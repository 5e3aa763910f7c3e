#include "session/evaluation_cache.h"

#include "train/merge_check.h"
#include "util/threads.h"

#include <algorithm>

std::shared_ptr<const lora::Dataset> EvaluationCache::split(const DataPtr& data,
                                                            const std::vector<int>& classes) {
    std::lock_guard lock(m_mutex);
    const auto it = std::find_if(m_splits.begin(), m_splits.end(), [&](const Split& s) {
        return s.data == data && s.classes == classes;
    });
    if (it != m_splits.end()) return it->split;
    // Cut under the lock: two askers of one new task would otherwise both cut it.
    auto cut = std::make_shared<const lora::Dataset>(lora::filterClassesRemap(data->test, classes));
    m_splits.push_front({data, classes, cut});
    if (m_splits.size() > kSplitsKept) m_splits.pop_back();
    return cut;
}

EvaluationCache::Result EvaluationCache::evaluation(const ModelPtr& model, bool merged,
                                                    const DataPtr& data,
                                                    const std::vector<int>& classes) {
    const Key key{model, merged && model->hasLora(), data, classes};
    std::promise<Result> promise;
    std::shared_future<Result> found;
    {
        std::lock_guard lock(m_mutex);
        const auto it = std::find_if(m_entries.begin(), m_entries.end(),
                                     [&](const Entry& e) { return e.key == key; });
        if (it != m_entries.end()) {
            found = it->result;
            Entry moved = std::move(*it);
            m_entries.erase(it);
            m_entries.push_front(std::move(moved));
        } else {
            m_entries.push_front({key, promise.get_future().share()});
            if (m_entries.size() > kKept) m_entries.pop_back();
            ++m_computed;
        }
    }
    if (found.valid()) return found.get(); // waits, outside our lock, if still running
    // Lock-free from here: a second asker of this key waits on the future, others go on.
    try {
        const std::shared_ptr<const lora::Dataset> test = split(data, classes);
        const int threads = lora::hardwareThreads();
        auto ev = std::make_shared<lora::Evaluation>(
            key.merged ? lora::evaluateParallel(lora::mergedModel(*model), *test, threads, true)
                       : lora::evaluateParallel(*model, *test, threads, true));
        promise.set_value(ev);
        return ev;
    } catch (...) {
        promise.set_exception(std::current_exception());
        std::lock_guard lock(m_mutex); // a failure is not kept: the next asker tries afresh
        std::erase_if(m_entries, [&](const Entry& e) { return e.key == key; });
        throw;
    }
}

bool EvaluationCache::has(const ModelPtr& model, bool merged, const DataPtr& data,
                          const std::vector<int>& classes) const {
    const Key key{model, merged && model->hasLora(), data, classes};
    std::lock_guard lock(m_mutex);
    return std::any_of(m_entries.begin(), m_entries.end(),
                       [&](const Entry& e) { return e.key == key; });
}

int EvaluationCache::computedCount() const {
    std::lock_guard lock(m_mutex);
    return m_computed;
}
