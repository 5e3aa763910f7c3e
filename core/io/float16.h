#pragma once
// IEEE half precision and bfloat16, as safetensors files store them: widening is exact;
// narrowing rounds to nearest with ties to even, overflows to infinity and keeps NaN a NaN.
#include <cstdint>

namespace lora {

float halfToFloat(std::uint16_t h);
float bf16ToFloat(std::uint16_t b);
std::uint16_t floatToHalf(float f);
std::uint16_t floatToBf16(float f);

} // namespace lora
