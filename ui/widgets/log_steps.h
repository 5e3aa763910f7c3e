#pragma once
// Log-spaced slider positions: a QSlider moves over indices 0…n−1 into one of these lists, so
// one notch is a constant factor whether the value is 1 or 1000. Values that are not on the
// list (an α of 33 from a settings file) sit at the nearest notch and are shown as they are.
#include <vector>

namespace logsteps {

inline constexpr float kMinAlpha = 0.25f;
inline constexpr float kMaxAlpha = 1024.0f;

// 0.25, 0.375, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32, … 768, 1024.
std::vector<float> alphas();
// 1…8 one by one, then four notches per octave (10, 12, 14, 16, 20, 24, 28, 32, 40, …), up
// to and always including `max` (≥ 1).
std::vector<int> ranks(int max);

// The index of the entry nearest to `value` on a log scale.
int nearest(const std::vector<float>& steps, float value);
int nearest(const std::vector<int>& steps, int value);

} // namespace logsteps
