// `lora-cli help [COMMAND]`: the usage text, made from the command table.
#include "cli/commands.h"

#include <algorithm>
#include <sstream>

namespace lora::cli {

namespace {

constexpr std::size_t kWidth = 100;
constexpr std::size_t kNameColumn = 20; // "  adapters combine  " fits

// Display columns of UTF-8 text (α, √, … are one column each, several bytes).
std::size_t columns(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string padded(const std::string& s, std::size_t width) {
    const std::size_t n = columns(s);
    return s + std::string(n < width ? width - n : 1, ' ');
}

// `text` broken at spaces into lines of at most kWidth columns, every line after the first
// indented by `indent` columns (the first continues whatever precedes it). A value stays on
// its flag's line: breaks fall only before a word starting with "-", "[" or "|" unless
// `anywhere`.
std::string wrapped(const std::string& text, std::size_t start, std::size_t indent,
                    bool anywhere = true) {
    std::istringstream words(text);
    std::vector<std::string> chunks;
    for (std::string word; words >> word;) {
        const bool opens =
            anywhere || chunks.empty() || std::string("-[|").find(word[0]) != std::string::npos;
        if (opens)
            chunks.push_back(word);
        else
            chunks.back() += " " + word;
    }
    std::string out;
    std::size_t column = start;
    for (std::size_t i = 0; i < chunks.size(); ++i) {
        if (i > 0 && column + 1 + columns(chunks[i]) > kWidth) {
            out += "\n" + std::string(indent, ' ');
            column = indent;
        } else if (i > 0) {
            out += ' ';
            ++column;
        }
        out += chunks[i];
        column += columns(chunks[i]);
    }
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string s;
    for (std::size_t i = 0; i < names.size(); ++i)
        s += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    return s;
}

std::string flagLine(const Flag& flag) {
    const std::string spelled = "--" + flag.name + (flag.value.empty() ? "" : " " + flag.value);
    const std::size_t column = std::max<std::size_t>(26, columns(spelled) + 4);
    return "  " + padded(spelled, column - 2) + wrapped(flag.help, column, column) + "\n";
}

// "  data      --data: train, finetune, …" — which commands take each group.
std::string groupLine(const FlagGroup& group) {
    std::vector<std::string> flags, users;
    for (const Flag& f : group.flags) flags.push_back("--" + f.name);
    for (const Command& c : commands())
        if (std::find(c.groups.begin(), c.groups.end(), &group) != c.groups.end())
            users.push_back(c.name);
    std::string all;
    for (const std::string& f : flags) all += (all.empty() ? "" : " ") + f;
    return "  " + padded(group.title, 10) + wrapped(all + ": " + joined(users), 12, 12) + "\n";
}

} // namespace

std::string usageText() {
    std::string text = "usage: lora-cli <command> [options]\n"
                       "       lora-cli help [COMMAND]   (a command's flags, one line each)\n\n"
                       "commands:\n";
    for (const Command& c : commands()) {
        text += "  " + padded(c.name, kNameColumn - 2) + c.summary + "\n";
        text += std::string(kNameColumn, ' ') +
                wrapped(c.synopsis, kNameColumn, kNameColumn, false) + "\n";
    }
    text += "\nflags shared by several commands:\n";
    for (const FlagGroup* g : {&kDataGroup, &kTrainingGroup, &kLoraGroup, &kOutputGroup})
        text += groupLine(*g);
    text += "\nProgress goes to stderr; the last line of stdout is one JSON object. "
            "Exit code 2 = bad input.\n";
    return text;
}

std::string commandHelp(const Command& c) {
    const std::string head = "usage: lora-cli " + c.name + " ";
    std::string text =
        head + wrapped(c.synopsis, columns(head), 8, false) + "\n" + c.summary + "\n";
    for (const std::string& note : c.notes) text += wrapped(note, 0, 0) + "\n";
    text += "\noptions:\n";
    for (const Flag& f : c.flags) text += flagLine(f);
    for (const FlagGroup* g : c.groups) {
        text += g->title + ":\n";
        for (const Flag& f : g->flags) text += flagLine(f);
    }
    if (!c.readsDigits()) text += "\n" + c.name + " reads no digits, so it takes no --data.\n";
    return text;
}

} // namespace lora::cli
