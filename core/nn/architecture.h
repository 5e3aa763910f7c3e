#pragma once
// Architecture strings such as "784-64-2" or "784-1000-2000-10": layer widths joined by '-'.
#include <string>
#include <vector>

namespace lora {

inline constexpr int kMaxLayerWidth = 1 << 16;

// Throws InputError naming the problem ("784--2": empty width, "0-10": width must be ≥ 1, ...).
std::vector<int> parseArchitecture(const std::string& arch);
std::string formatArchitecture(const std::vector<int>& widths);

// "fc1".."fcN" for N = widths.size() - 1.
std::vector<std::string> layerNames(int layerCount);

} // namespace lora
