#pragma once
// Digit lists as users type them: "all" or comma-separated digits such as "3,4".
#include <string>
#include <vector>

namespace lora {

// Throws InputError for empty items, non-digits, digits outside 0-9 and repeats.
std::vector<int> parseClasses(const std::string& text);
std::string formatClasses(const std::vector<int>& classes); // "3,4"

} // namespace lora
