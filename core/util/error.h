#pragma once
// One exception type for bad input anywhere in the core. Its message is a single
// line naming the problem; the CLI prints it and exits with code 2, the GUI shows it.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lora {

// The longest message a user is shown, in characters (UTF-8 code points), and the longest
// InputError message: 20 fewer, leaving room for a prefix such as "lora-cli: ".
inline constexpr std::size_t kMaxMessageChars = 300;
inline constexpr std::size_t kMaxErrorChars = kMaxMessageChars - 20;
// The longest name taken from a file (a tensor name, a key) that a message quotes.
inline constexpr std::size_t kMaxQuotedChars = 60;

// `text` as one printable line of at most kMaxMessageChars characters: control characters
// and bytes that are not UTF-8 (a file can hold anything, and names come from files) become
// spaces or '?', and a longer text is cut at a character boundary, ending in "…".
std::string oneLine(std::string_view text, std::size_t maxChars = kMaxMessageChars);

// '<name>' for a name read from a file: quoted, one line, cut to kMaxQuotedChars.
std::string quotedName(std::string_view name);

// What a user is shown for an exception caught at the edge of a job (a worker, a dialog's
// action): its message as one bounded line, and for std::bad_alloc a sentence, not "bad_alloc".
std::string errorText(const std::exception& e);

class InputError : public std::runtime_error {
public:
    // Every message passes oneLine, so no caller can show a multi-line or unbounded one.
    explicit InputError(const std::string& what)
        : std::runtime_error(oneLine(what, kMaxErrorChars)) {}
};

} // namespace lora
