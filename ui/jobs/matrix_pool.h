#pragma once
// Recycles same-shaped matrices between worker jobs and the widgets that show them. The
// Rank & SVD panel snapshots W_r and W − W_r (8 MB each for 1000×2000) on every rank-slider
// tick; a fresh allocation of that size touches new pages, which costs tens of milliseconds
// on some virtual machines, while a recycled buffer costs nothing. Thread-safe.
#include "nn/tensor.h"

#include <memory>
#include <mutex>
#include <vector>

class MatrixPool : public std::enable_shared_from_this<MatrixPool> {
public:
    // Keeps at most `capacity` spare buffers; more come and go through the allocator.
    static std::shared_ptr<MatrixPool> create(Eigen::Index rows, Eigen::Index cols, int capacity);

    // A rows×cols matrix with unspecified contents; it comes back here when its last owner
    // lets go (the pool lives as long as any of its matrices).
    std::shared_ptr<lora::Matrix> take();
    // Allocates (and so faults in) spare buffers until `count` wait in the pool.
    void reserve(int count);

private:
    MatrixPool(Eigen::Index rows, Eigen::Index cols, int capacity);
    void give(lora::Matrix* m);

    const Eigen::Index m_rows, m_cols;
    const std::size_t m_capacity;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<lora::Matrix>> m_free;
};
