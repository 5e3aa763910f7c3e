#include "util/error.h"

#include <algorithm>
#include <cstdint>
#include <new>

namespace lora {

namespace {

// The length of the valid UTF-8 sequence at text[i], or 0 if there is none.
std::size_t utf8Length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const std::uint8_t lead = byte(i);
    if (lead < 0x80) return 1;
    // The lead byte gives the length; the shortest code point of that length rules out
    // overlong forms.
    const std::size_t n = (lead & 0xe0) == 0xc0   ? 2
                          : (lead & 0xf0) == 0xe0 ? 3
                          : (lead & 0xf8) == 0xf0 ? 4
                                                  : 0;
    if (n == 0) return 0;
    const std::uint32_t min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (i + n > text.size()) return 0;
    std::uint32_t cp = lead & (0x7f >> n);
    for (std::size_t k = 1; k < n; ++k) {
        if ((byte(i + k) & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (byte(i + k) & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return 0;
    return n;
}

} // namespace

std::string oneLine(std::string_view text, std::size_t maxChars) {
    // Each step takes one character (or one stray byte, which stands for one).
    const auto step = [&](std::size_t i) { return std::max<std::size_t>(1, utf8Length(text, i)); };
    std::size_t chars = 0;
    std::size_t keep = text.size(); // the bytes kept when the text must be cut
    for (std::size_t i = 0; i < text.size(); i += step(i)) {
        if (++chars == maxChars) keep = i; // room for maxChars - 1 characters and "…"
        if (chars > maxChars) break;
    }
    const bool cut = chars > maxChars;
    std::string out;
    out.reserve((cut ? keep : text.size()) + 3);
    for (std::size_t i = 0; i < (cut ? keep : text.size());) {
        const std::size_t n = utf8Length(text, i);
        const auto c = static_cast<unsigned char>(text[i]);
        if (n == 0)
            out += '?';
        else if (n == 1 && (c < 0x20 || c == 0x7f))
            out += ' ';
        else
            out.append(text.substr(i, n));
        i += n == 0 ? 1 : n;
    }
    if (cut) {
        out += "…";
        return out;
    }
    // A trailing newline became a space: drop it, so "text\n" reads as "text".
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string errorText(const std::exception& e) {
    if (dynamic_cast<const std::bad_alloc*>(&e))
        return "out of memory: the input is too large for the memory available";
    return oneLine(e.what(), kMaxErrorChars);
}

std::string quotedName(std::string_view name) {
    return "'" + oneLine(name, kMaxQuotedChars) + "'";
}

} // namespace lora
