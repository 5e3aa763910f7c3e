#pragma once
// Typed lists as people type them: "1,2,4" ranks, "0.7,0.3" weights, "fc1,fc2" names. One
// place for the splitting rules and the messages, so the CLI's flags and the GUI's text
// fields refuse the same input with the same words. `what` names the flag or field
// ("--ranks", "alphas") and starts every message: "--ranks: 'x' is not a whole number 1…4096".
#include <limits>
#include <string>
#include <vector>

namespace lora {

enum class ListSeparators {
    Commas, // "a,b,c" exactly: a flag's value, where an empty item is a typo
    Loose,  // commas, semicolons or white space, empty items skipped: a text field
};

struct ListRules {
    ListSeparators separators = ListSeparators::Commas;
    bool unique = false; // refuse a value listed twice ("'4' is listed twice")
};

// The open-closed range (above, atMost] a number must lie in; finite in any case.
struct NumberRange {
    double above = -std::numeric_limits<double>::infinity();
    double atMost = std::numeric_limits<double>::infinity();
};

// The items in order. InputError for no items at all ("give at least one value") and, with
// commas only, an empty item ("empty item in 'fc1,'").
std::vector<std::string> splitList(const std::string& text, const std::string& what,
                                   ListSeparators separators = ListSeparators::Commas);

// Whole numbers in [min, max]: "'x' is not a whole number 1…64" for anything else.
std::vector<int> parseIntList(const std::string& text, const std::string& what, int min, int max,
                              ListRules rules = {});
// Finite numbers in `range`: "'x' is not a number > 0 and ≤ 1024" (or "… is not a number").
std::vector<float> parseFloatList(const std::string& text, const std::string& what,
                                  NumberRange range = {}, ListRules rules = {});
// Names without surrounding white space (layer names, variants, folders).
std::vector<std::string> parseNameList(const std::string& text, const std::string& what,
                                       ListRules rules = {});

} // namespace lora
