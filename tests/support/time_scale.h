#pragma once
// Wall-clock limits in the tests are for optimised builds. Sanitizer builds (LORA_SANITIZED)
// run several times slower, so there each limit stretches by kTimeScale: the behaviour
// (Stop returns, close joins, the GUI keeps ticking) is still checked, only more loosely.
namespace lora::test {
#ifdef LORA_SANITIZED
inline constexpr int kTimeScale = 10;
#else
inline constexpr int kTimeScale = 1;
#endif
} // namespace lora::test
