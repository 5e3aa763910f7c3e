#include "nn/architecture.h"

#include "util/error.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace lora {

std::vector<int> parseArchitecture(const std::string& arch) {
    const std::string where = "architecture '" + arch + "'";
    if (arch.empty()) throw InputError("architecture is empty (expected widths like 784-64-2)");
    std::vector<int> widths;
    std::size_t start = 0;
    while (true) {
        const std::size_t dash = arch.find('-', start);
        const std::string part =
            arch.substr(start, dash == std::string::npos ? dash : dash - start);
        if (part.empty()) throw InputError(where + " has an empty layer width");
        long long value = 0;
        for (char c : part) {
            if (!std::isdigit(static_cast<unsigned char>(c)))
                throw InputError(where + ": '" + part + "' is not a whole number");
            value = value * 10 + (c - '0');
            if (value > kMaxLayerWidth)
                throw InputError(where + ": width " + part + " exceeds the limit of " +
                                 std::to_string(kMaxLayerWidth));
        }
        if (value < 1) throw InputError(where + ": every width must be at least 1");
        widths.push_back(static_cast<int>(value));
        // Before growing further: fc<N> past kMaxLayers would be a name no reader accepts.
        if (static_cast<long long>(widths.size()) > kMaxLayers + 1)
            throw InputError("architecture has more than " + std::to_string(kMaxLayers) +
                             " layers (fc1…fc" + std::to_string(kMaxLayers) + " is the limit)");
        if (dash == std::string::npos) break;
        start = dash + 1;
    }
    if (widths.size() < 2) throw InputError(where + " needs at least an input and an output width");
    return widths;
}

std::string formatArchitecture(const std::vector<int>& widths) {
    std::string s;
    for (std::size_t i = 0; i < widths.size(); ++i) {
        if (i) s += '-';
        s += std::to_string(widths[i]);
    }
    return s;
}

std::vector<std::string> layerNames(int layerCount) {
    std::vector<std::string> names;
    for (int i = 1; i <= layerCount; ++i) names.push_back("fc" + std::to_string(i));
    return names;
}

std::vector<OversizedRank> oversizedRanks(const std::vector<int>& widths,
                                          const std::vector<std::string>& targets, int rank) {
    std::vector<OversizedRank> found;
    const std::vector<std::string> names = layerNames(static_cast<int>(widths.size()) - 1);
    for (std::size_t i = 0; i < names.size(); ++i) {
        const bool targeted =
            targets.empty() || std::find(targets.begin(), targets.end(), names[i]) != targets.end();
        const int limit = std::min(widths[i], widths[i + 1]);
        if (targeted && rank > limit) found.push_back({names[i], limit});
    }
    return found;
}

std::string describe(const OversizedRank& o, int rank) {
    return "rank " + std::to_string(rank) + " exceeds min(in, out) = " + std::to_string(o.limit) +
           " of " + o.layer + "; it adds parameters without adding expressiveness";
}

int layerNumber(const std::string& name) {
    if (name.size() < 3 || name.compare(0, 2, "fc") != 0 || name[2] == '0') return 0;
    int n = 0;
    const char* end = name.data() + name.size();
    const auto [ptr, ec] = std::from_chars(name.data() + 2, end, n);
    return ec == std::errc() && ptr == end && n >= 1 ? n : 0;
}

} // namespace lora
