#include "util/rng.h"

#include <cmath>

namespace lora {

float Rng::normal() {
    if (m_hasSpare) {
        m_hasSpare = false;
        return m_spare;
    }
    // 53-bit uniforms in (0, 1] keep log() finite.
    const double u1 = (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = static_cast<double>(next() >> 11) * 0x1.0p-53;
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * M_PI * u2;
    m_spare = static_cast<float>(radius * std::sin(angle));
    m_hasSpare = true;
    return static_cast<float>(radius * std::cos(angle));
}

std::uint64_t Rng::below(std::uint64_t n) {
    // Rejection sampling removes modulo bias.
    const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    std::uint64_t x;
    do {
        x = next();
    } while (x >= limit);
    return x % n;
}

} // namespace lora
