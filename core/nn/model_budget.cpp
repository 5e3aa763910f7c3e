#include "nn/model_budget.h"

#include "nn/architecture.h"
#include "util/error.h"

#include <algorithm>
#include <cmath>

namespace lora {

namespace {

// Whole numbers with thousands separators, so a limit reads at a glance: "33,554,432".
std::string grouped(long long n) {
    std::string digits = std::to_string(n);
    for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
    return digits;
}

// A long architecture (1,000 layers) would make the message a screen long.
std::string shortArch(const std::vector<int>& widths) {
    const std::string arch = formatArchitecture(widths);
    return arch.size() <= 60 ? arch : arch.substr(0, 40) + "…" + arch.substr(arch.size() - 12);
}

} // namespace

long long parameterCount(const std::vector<int>& widths) {
    long long total = 0;
    for (std::size_t i = 0; i + 1 < widths.size(); ++i)
        total += (static_cast<long long>(widths[i]) + 1) * widths[i + 1];
    return total;
}

namespace {
long long widthSum(const std::vector<int>& widths) {
    long long sum = 0;
    for (int w : widths) sum += w;
    return sum;
}
} // namespace

long long activationCount(const std::vector<int>& widths, long long batch) {
    // Widths are ≤ 2^16 and layers ≤ 1000, so only a huge batch could overflow: saturate.
    if (batch > kMaxActivations) return kMaxActivations + 1;
    return batch * widthSum(widths);
}

long long maxBatchFor(const std::vector<int>& widths) {
    return widths.empty() ? 0 : kMaxActivations / widthSum(widths);
}

int maxRankFor(const std::vector<int>& widths, const std::vector<bool>& targeted) {
    long long perRank = 0; // adapter parameters per unit of rank
    for (std::size_t i = 0; i + 1 < widths.size(); ++i)
        if (targeted.empty() || targeted[i]) perRank += widths[i] + widths[i + 1];
    if (perRank == 0) return kMaxRank;
    return static_cast<int>(std::min<long long>(kMaxRank, kMaxParameters / perRank));
}

void checkModelBudget(const std::vector<int>& widths) {
    const long long layers = static_cast<long long>(widths.size()) - 1;
    if (layers > kMaxLayers)
        throw InputError("architecture " + shortArch(widths) + " has " + grouped(layers) +
                         " layers; the limit is " + grouped(kMaxLayers));
    const long long params = parameterCount(widths);
    if (params > kMaxParameters)
        throw InputError("architecture " + shortArch(widths) + " has " + grouped(params) +
                         " parameters; the limit is " + grouped(kMaxParameters));
}

void checkModelBudget(const std::vector<int>& widths, long long batch) {
    checkModelBudget(widths);
    if (activationCount(widths, batch) > kMaxActivations)
        throw InputError("batch " + grouped(batch) + " on " + shortArch(widths) + " needs over " +
                         grouped(kMaxActivations) +
                         " activations (batch × the sum of the widths); use fewer");
}

void checkAdapterBudget(const std::vector<int>& widths, const std::vector<bool>& targeted,
                        const std::vector<int>& ranks) {
    long long params = 0;
    for (std::size_t i = 0; i + 1 < widths.size() && i < ranks.size(); ++i)
        if (targeted.empty() || targeted[i])
            params += static_cast<long long>(ranks[i]) * (widths[i] + widths[i + 1]);
    if (params > kMaxParameters)
        throw InputError("the adapters on " + shortArch(widths) + " would have " + grouped(params) +
                         " parameters; the limit is " + grouped(kMaxParameters) +
                         " (lower the rank)");
}

void checkSummedRank(long long rank, const std::string& what) {
    if (rank > kMaxRank)
        throw InputError(what + " gives rank " + grouped(rank) + ", over the limit of " +
                         grouped(kMaxRank) + " that adapter files may hold");
}

void checkSvdBudget(long long rows, long long cols, const std::string& what) {
    // Rows and columns are each below 2^26 (matrix readers), so neither product overflows.
    const bool over =
        rows * cols > kMaxSvdElements || rows * cols * std::min(rows, cols) > kMaxSvdWork;
    if (over)
        throw InputError(what + " is " + std::to_string(rows) + "×" + std::to_string(cols) +
                         "; an SVD here takes at most " + grouped(kMaxSvdElements) +
                         " elements and rows·cols·min(rows, cols) ≤ 2^32 (1625×1625 if square)");
}

void checkFinite(const Eigen::Ref<const Matrix>& m, const std::string& what) {
    if (m.allFinite()) return;
    throw InputError(what + " is not finite (values overflow float; scale the inputs down)");
}

} // namespace lora
