#pragma once
// The one way core reads a file. Every reader goes through here, so that what the README
// promises for bad input (regular files only, bounded size, bounded time) holds everywhere.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lora {

// The whole file; InputError "cannot open <path>: <reason>" (or "cannot read ...") on failure.
// Only regular files are read (a device, FIFO or socket is refused at once), and a file
// larger than `maxBytes` is refused before any of it is read.
std::vector<std::uint8_t> readFileBytes(const std::string& path, std::size_t maxBytes = SIZE_MAX);

} // namespace lora
