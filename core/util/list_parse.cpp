#include "util/list_parse.h"

#include "util/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lora {

namespace {

constexpr const char* kBlank = " \t\n\r\f\v";

std::string trimmed(const std::string& s) {
    const std::size_t first = s.find_first_not_of(kBlank);
    if (first == std::string::npos) return {};
    return s.substr(first, s.find_last_not_of(kBlank) - first + 1);
}

[[noreturn]] void fail(const std::string& what, const std::string& message) {
    throw InputError(what + ": " + message);
}

std::string quoted(const std::string& item) {
    return "'" + item + "'";
}

// %g keeps 1024 as "1024" and 0.5 as "0.5", as the fields show them.
std::string shortNumber(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string describe(const NumberRange& range) {
    std::string s = "a number";
    if (std::isfinite(range.above)) s += " > " + shortNumber(range.above);
    if (std::isfinite(range.above) && std::isfinite(range.atMost)) s += " and";
    if (std::isfinite(range.atMost)) s += " ≤ " + shortNumber(range.atMost);
    return s;
}

// Parses every item with `parse`, refusing repeats when the rules ask for it.
template <typename T, typename Parse>
std::vector<T> parseItems(const std::string& text, const std::string& what, ListRules rules,
                          Parse parse) {
    std::vector<T> values;
    for (const std::string& item : splitList(text, what, rules.separators)) {
        const T v = parse(item);
        if (rules.unique && std::find(values.begin(), values.end(), v) != values.end())
            fail(what, quoted(item) + " is listed twice");
        values.push_back(v);
    }
    return values;
}

} // namespace

std::vector<std::string> splitList(const std::string& text, const std::string& what,
                                   ListSeparators separators) {
    const bool loose = separators == ListSeparators::Loose;
    const std::string cuts = loose ? std::string(",;") + kBlank : std::string(",");
    std::vector<std::string> items;
    std::size_t start = 0;
    while (true) {
        const std::size_t cut = text.find_first_of(cuts, start);
        const std::string item = trimmed(text.substr(start, cut - start));
        if (!item.empty())
            items.push_back(item);
        else if (!loose && !trimmed(text).empty())
            fail(what, "empty item in " + quoted(text));
        if (cut == std::string::npos) break;
        start = cut + 1;
    }
    if (items.empty()) fail(what, "give at least one value");
    return items;
}

std::vector<int> parseIntList(const std::string& text, const std::string& what, int min, int max,
                              ListRules rules) {
    return parseItems<int>(text, what, rules, [&](const std::string& item) {
        int v = 0;
        const char* end = item.data() + item.size();
        const auto [ptr, ec] = std::from_chars(item.data(), end, v);
        if (ec != std::errc() || ptr != end || v < min || v > max)
            fail(what, quoted(item) + " is not a whole number " + std::to_string(min) + "…" +
                           std::to_string(max));
        return v;
    });
}

std::vector<float> parseFloatList(const std::string& text, const std::string& what,
                                  NumberRange range, ListRules rules) {
    return parseItems<float>(text, what, rules, [&](const std::string& item) {
        double v = 0;
        const char* end = item.data() + item.size();
        const auto [ptr, ec] = std::from_chars(item.data(), end, v);
        const bool ok = ec == std::errc() && ptr == end && std::isfinite(v) &&
                        std::isfinite(static_cast<float>(v)) && v > range.above &&
                        v <= range.atMost;
        if (!ok) fail(what, quoted(item) + " is not " + describe(range));
        return static_cast<float>(v);
    });
}

std::vector<std::string> parseNameList(const std::string& text, const std::string& what,
                                       ListRules rules) {
    return parseItems<std::string>(text, what, rules, [](const std::string& item) { return item; });
}

} // namespace lora
