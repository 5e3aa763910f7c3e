#include "widgets/log_steps.h"

#include <algorithm>
#include <cmath>

namespace logsteps {

std::vector<float> alphas() {
    std::vector<float> out;
    for (float octave = kMinAlpha; octave < kMaxAlpha; octave *= 2) {
        out.push_back(octave);
        out.push_back(octave * 1.5f);
    }
    out.push_back(kMaxAlpha);
    return out;
}

std::vector<int> ranks(int max) {
    max = std::max(max, 1);
    std::vector<int> out;
    for (int r = 1; r <= std::min(max, 8); ++r) out.push_back(r);
    for (int octave = 8; octave < max; octave *= 2)
        for (int quarter = 1; quarter <= 4; ++quarter)
            if (const int r = octave + octave * quarter / 4; r < max) out.push_back(r);
    if (out.back() != max) out.push_back(max);
    return out;
}

int nearest(const std::vector<float>& steps, float value) {
    if (!(value > 0)) return 0;
    int best = 0;
    for (int i = 1; i < static_cast<int>(steps.size()); ++i)
        if (std::abs(std::log(steps[i] / value)) < std::abs(std::log(steps[best] / value)))
            best = i;
    return best;
}

int nearest(const std::vector<int>& steps, int value) {
    std::vector<float> asFloat(steps.begin(), steps.end());
    return nearest(asFloat, static_cast<float>(value));
}

} // namespace logsteps
