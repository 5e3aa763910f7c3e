#include "jobs/matrix_pool.h"

#include <algorithm>

std::shared_ptr<MatrixPool> MatrixPool::create(Eigen::Index rows, Eigen::Index cols, int capacity) {
    return std::shared_ptr<MatrixPool>(new MatrixPool(rows, cols, capacity));
}

MatrixPool::MatrixPool(Eigen::Index rows, Eigen::Index cols, int capacity)
    : m_rows(rows), m_cols(cols), m_capacity(static_cast<std::size_t>(std::max(0, capacity))) {}

std::shared_ptr<lora::Matrix> MatrixPool::take() {
    std::unique_ptr<lora::Matrix> m;
    {
        const std::lock_guard lock(m_mutex);
        if (!m_free.empty()) {
            m = std::move(m_free.back());
            m_free.pop_back();
        }
    }
    if (!m) m = std::make_unique<lora::Matrix>(m_rows, m_cols);
    return std::shared_ptr<lora::Matrix>(
        m.release(), [pool = shared_from_this()](lora::Matrix* p) { pool->give(p); });
}

void MatrixPool::reserve(int count) {
    const std::size_t wanted = std::min(m_capacity, static_cast<std::size_t>(std::max(0, count)));
    for (;;) {
        {
            const std::lock_guard lock(m_mutex);
            if (m_free.size() >= wanted) return;
        }
        auto m = std::make_unique<lora::Matrix>(lora::Matrix::Zero(m_rows, m_cols)); // touched
        const std::lock_guard lock(m_mutex);
        m_free.push_back(std::move(m));
    }
}

void MatrixPool::give(lora::Matrix* m) {
    std::unique_ptr<lora::Matrix> owned(m);
    const std::lock_guard lock(m_mutex);
    if (m_free.size() < m_capacity) m_free.push_back(std::move(owned));
}
