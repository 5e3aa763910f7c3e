#pragma once
// A small deterministic random source. The standard library's distributions are
// implementation-defined, so we derive floats ourselves: identical streams on every
// platform and compiler for the same seed.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace lora {

class Rng {
public:
    explicit Rng(std::uint64_t seed) : m_engine(seed) {}

    std::uint64_t next() { return m_engine(); }

    // Uniform in [0, 1) with 24 random bits (exactly representable as float).
    float uniform() { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }
    float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }

    // Standard normal by Box-Muller (one value per call; the pair's twin is cached).
    float normal();

    // Uniform integer in [0, n), unbiased.
    std::uint64_t below(std::uint64_t n);

    // Fisher-Yates shuffle driven by below(), so the order depends only on the seed.
    template <typename T> void shuffle(std::vector<T>& v) {
        for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
    }

private:
    std::mt19937_64 m_engine;
    bool m_hasSpare = false;
    float m_spare = 0.0f;
};

} // namespace lora
