#include "io/float16.h"

#include <cmath>
#include <cstring>

namespace lora {

namespace {

float fromBits(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

} // namespace

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = std::uint32_t(h >> 15) << 31;
    const int exponent = (h >> 10) & 0x1f;
    const std::uint32_t mantissa = h & 0x3ff;
    if (exponent == 0) { // zero or subnormal: mantissa · 2⁻²⁴, exact in float
        const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return fromBits(sign | 0x7f800000u | mantissa << 13); // inf / NaN
    return fromBits(sign | std::uint32_t(exponent - 15 + 127) << 23 | mantissa << 13);
}

// Round to nearest, ties to even, on the bits dropped; NaN stays a (quiet) NaN.
std::uint16_t floatToBf16(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    if (std::isnan(f)) return std::uint16_t(bits >> 16 | 0x40);
    bits += 0x7fff + (bits >> 16 & 1);
    return std::uint16_t(bits >> 16);
}

std::uint16_t floatToHalf(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    const std::uint16_t sign = std::uint16_t(bits >> 16 & 0x8000);
    const std::uint32_t magnitude = bits & 0x7fffffff;
    if (magnitude > 0x7f800000) return sign | 0x7e00;        // NaN
    if (magnitude >= 0x477ff000) return sign | 0x7c00;       // rounds past 65504: infinity
    if (magnitude < 0x38800000) {                            // below 2⁻¹⁴: subnormal or 0
        const float scaled = std::fabs(f) * 16777216.0f;     // units of 2⁻²⁴
        return sign | std::uint16_t(std::nearbyint(scaled)); // ties to even (default mode)
    }
    const std::uint32_t rounded = magnitude + 0xfff + (magnitude >> 13 & 1);
    return sign | std::uint16_t((rounded - (112u << 23)) >> 13);
}

float bf16ToFloat(std::uint16_t b) {
    return fromBits(std::uint32_t(b) << 16); // the top half of a float
}

} // namespace lora
