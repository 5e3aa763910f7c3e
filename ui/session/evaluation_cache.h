#pragma once
// Evaluations of model snapshots on a task's test split, computed once per (snapshot, merged,
// data, classes) and shared by everyone who asks: on a live slider tick the Predictions panel
// and the adapter box both want the new view scored, and the base's "before" stays the same
// from tick to tick. An asker that comes while the same evaluation is still running waits for
// it instead of running a second one. Thread-safe; asked from background jobs.
#include "session/run_types.h"
#include "train/evaluate.h"

#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

class EvaluationCache {
public:
    using Result = std::shared_ptr<const lora::Evaluation>;

    // The test split of `data` cut to `classes` and relabelled 0…k−1, cut once per task.
    std::shared_ptr<const lora::Dataset> split(const DataPtr& data,
                                               const std::vector<int>& classes);
    // `model` (its layers merged into plain matrices first when `merged` and it has an
    // adapter) on that split, with its logits. Runs over every core: a batch-parallel pass
    // that gives the one-thread result bit for bit. InputError as lora::evaluate().
    Result evaluation(const ModelPtr& model, bool merged, const DataPtr& data,
                      const std::vector<int>& classes);
    // Whether that evaluation is kept or under way (the next evaluation() call then returns
    // without a pass of its own, or waits for the one running).
    bool has(const ModelPtr& model, bool merged, const DataPtr& data,
             const std::vector<int>& classes) const;
    // How many evaluations ran (not served from the cache): for tests.
    int computedCount() const;

private:
    struct Key {
        ModelPtr model; // held, so that a new snapshot can never reuse its address
        bool merged = false;
        DataPtr data;
        std::vector<int> classes;
        bool operator==(const Key&) const = default;
    };
    struct Entry {
        Key key;
        std::shared_future<Result> result;
    };
    // The base, the view shown, the view before it and one more (merged or full fine-tune).
    static constexpr std::size_t kKept = 4;

    struct Split {
        DataPtr data;
        std::vector<int> classes;
        std::shared_ptr<const lora::Dataset> split;
    };
    // The fine-tuning task and the base task: Predictions may show one while the box scores
    // the other.
    static constexpr std::size_t kSplitsKept = 2;

    mutable std::mutex m_mutex;
    std::deque<Split> m_splits;  // most recently asked first
    std::deque<Entry> m_entries; // most recently asked first
    int m_computed = 0;
};
