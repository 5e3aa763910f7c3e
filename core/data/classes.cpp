#include "data/classes.h"

#include "util/error.h"
#include "util/list_parse.h"

#include <algorithm>

namespace lora {

std::vector<int> parseClasses(const std::string& text) {
    if (text == "all") return {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    if (text.find_first_not_of(" \t") == std::string::npos)
        throw InputError("class list is empty (use digits like 3,4 or 'all')");
    std::vector<int> classes;
    for (const std::string& item : splitList(text, "class list")) {
        if (item.find_first_not_of("0123456789") != std::string::npos)
            throw InputError("class '" + item + "' is not a digit");
        if (item.size() > 2 || std::stoi(item) > 9)
            throw InputError("class " + item + " does not exist (digits are 0-9)");
        const int c = std::stoi(item);
        if (std::find(classes.begin(), classes.end(), c) != classes.end())
            throw InputError("class " + item + " is listed twice");
        classes.push_back(c);
    }
    return classes;
}

std::string formatClasses(const std::vector<int>& classes) {
    std::string s;
    for (std::size_t i = 0; i < classes.size(); ++i)
        s += (i ? "," : "") + std::to_string(classes[i]);
    return s;
}

std::vector<int> classPositions(const std::vector<int>& classes, const std::vector<int>& digits,
                                const std::string& what) {
    std::vector<int> positions;
    for (int d : digits) {
        const auto it = std::find(classes.begin(), classes.end(), d);
        if (it == classes.end())
            throw InputError(what + ": digit " + std::to_string(d) + " is not among the classes " +
                             formatClasses(classes));
        positions.push_back(static_cast<int>(it - classes.begin()));
    }
    return positions;
}

} // namespace lora
