#pragma once
// Digit lists as users type them: "all" or comma-separated digits such as "3,4".
#include <string>
#include <vector>

namespace lora {

// Throws InputError for empty items, non-digits, digits outside 0-9 and repeats.
std::vector<int> parseClasses(const std::string& text);
std::string formatClasses(const std::vector<int>& classes); // "3,4"

// Where each digit sits in `classes`: the label filterClassesRemap gives its images
// (seed 001 trains a 10-way model on its 9s only: digits {9} -> positions {9}).
// InputError "<what>: digit 9 is not among the classes 7,8" for a digit not in the list.
std::vector<int> classPositions(const std::vector<int>& classes, const std::vector<int>& digits,
                                const std::string& what);

} // namespace lora
