#pragma once
// One linear pass over JSON text before anything builds a DOM of it: syntax, duplicate keys
// (nlohmann keeps the last one silently, and its callback parser, which would see them, takes
// time quadratic in the number of objects), nesting and size. A hostile header is refused
// here in time linear in its bytes and in constant memory beyond the keys of its open objects.
#include <cstddef>
#include <cstdint>
#include <string>

namespace lora {

struct JsonLimits {
    int maxDepth = 8;                      // a safetensors header needs 3: header, entry, shape
    std::size_t maxTopLevelKeys = 100'000; // SDXL's UNet has ~2,500 tensors
    std::size_t maxValues = 2'000'000;     // every key, number, string, array and object
};

// Throws InputError "<what>: <label> is not valid JSON (error at byte N)", "… has duplicate
// key 'k'", "… nests deeper than N levels", "… has more than N entries" or "… more than N
// values". Keys are quoted cut to 60 characters; no other byte of the text is echoed.
void checkJsonText(const std::uint8_t* begin, const std::uint8_t* end, const JsonLimits& limits,
                   const std::string& what, const std::string& label);

} // namespace lora
