#pragma once
// Seeded shuffling and batching. Once per epoch the samples are gathered into a shuffled
// copy; each batch is then a zero-copy view of consecutive rows of that copy.
#include "data/dataset.h"
#include "util/rng.h"

#include <span>

namespace lora {

// One batch: `rows` consecutive samples, viewed in place.
struct Batch {
    const float* images = nullptr; // [rows, cols]
    const int* labels = nullptr;   // [rows]
    int rows = 0, cols = 0;
    ConstMatrixMap x() const { return ConstMatrixMap(images, rows, cols); }
    std::span<const int> y() const { return {labels, static_cast<std::size_t>(rows)}; }
};

class Batcher {
public:
    // shuffle=false keeps dataset order (for evaluation).
    Batcher(const Dataset& data, int batchSize, bool shuffle, std::uint64_t seed);

    // Re-shuffles (if enabled) and rewinds. Call at the start of every epoch.
    void startEpoch();
    // Back to this epoch's first batch, same order (to replay it after a rewind).
    void rewind() { m_cursor = 0; }
    // Next batch; returns false when the epoch is exhausted. The last batch may be short.
    bool next(Batch& batch);

    int batchesPerEpoch() const;
    int batchSize() const { return m_batchSize; }

private:
    const Dataset& m_data;
    int m_batchSize;
    bool m_shuffle;
    Rng m_rng;
    Matrix m_epochImages;
    std::vector<int> m_epochLabels;
    std::vector<int> m_order;
    int m_cursor = -1; // -1: no epoch started; next() then starts one
};

} // namespace lora
