#include "data/classes.h"

#include "util/error.h"

#include <algorithm>

namespace lora {

std::vector<int> parseClasses(const std::string& text) {
    if (text == "all") return {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    if (text.empty()) throw InputError("class list is empty (use digits like 3,4 or 'all')");
    std::vector<int> classes;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = text.find(',', start);
        const std::string item =
            text.substr(start, comma == std::string::npos ? comma : comma - start);
        if (item.empty()) throw InputError("class list '" + text + "' has an empty item");
        if (item.find_first_not_of("0123456789") != std::string::npos)
            throw InputError("class '" + item + "' is not a digit");
        if (item.size() > 2 || std::stoi(item) > 9)
            throw InputError("class " + item + " does not exist (digits are 0-9)");
        const int c = std::stoi(item);
        if (std::find(classes.begin(), classes.end(), c) != classes.end())
            throw InputError("class " + item + " is listed twice");
        classes.push_back(c);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return classes;
}

std::string formatClasses(const std::vector<int>& classes) {
    std::string s;
    for (std::size_t i = 0; i < classes.size(); ++i)
        s += (i ? "," : "") + std::to_string(classes[i]);
    return s;
}

} // namespace lora
