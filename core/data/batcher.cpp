#include "data/batcher.h"

#include "util/error.h"

#include <algorithm>
#include <numeric>
#include <string>

namespace lora {

Batcher::Batcher(const Dataset& data, int batchSize, bool shuffle, std::uint64_t seed)
    : m_data(data), m_batchSize(batchSize), m_shuffle(shuffle), m_rng(seed) {
    if (batchSize < 1)
        throw InputError("batch size must be at least 1 (got " + std::to_string(batchSize) + ")");
    m_order.resize(std::size_t(data.size()));
}

void Batcher::startEpoch() {
    m_cursor = 0;
    if (!m_shuffle) return; // batches view m_data directly
    // Each epoch permutes the identity afresh, so epoch k's order depends only on (seed, k).
    std::iota(m_order.begin(), m_order.end(), 0);
    m_rng.shuffle(m_order);
    const Eigen::Index cols = m_data.images.cols();
    m_epochImages.resize(Eigen::Index(m_order.size()), cols);
    m_epochLabels.resize(m_order.size());
    for (std::size_t r = 0; r < m_order.size(); ++r) {
        const int src = m_order[r];
        std::copy_n(m_data.images.data() + Eigen::Index(src) * cols, cols,
                    m_epochImages.data() + Eigen::Index(r) * cols);
        m_epochLabels[r] = m_data.labels[std::size_t(src)];
    }
}

bool Batcher::next(Batch& batch) {
    if (m_cursor < 0) startEpoch();
    const int n = m_data.size();
    if (m_cursor >= n) return false;
    const int rows = std::min(m_batchSize, n - m_cursor);
    const int cols = m_data.features();
    const float* images = m_shuffle ? m_epochImages.data() : m_data.images.data();
    const int* labels = m_shuffle ? m_epochLabels.data() : m_data.labels.data();
    batch.images = images + std::size_t(m_cursor) * std::size_t(cols);
    batch.labels = labels + m_cursor;
    batch.rows = rows;
    batch.cols = cols;
    m_cursor += rows;
    return true;
}

int Batcher::batchesPerEpoch() const {
    return (m_data.size() + m_batchSize - 1) / m_batchSize;
}

} // namespace lora
