#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace lora {

// Write `bytes` to `path` atomically: temp file beside it, fsync, rename. On failure the
// previous file (if any) is untouched and an InputError names the path and the reason.
void writeFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes);
void writeFileAtomic(const std::string& path, const std::string& text);

// The whole file; InputError "cannot open <path>: <reason>" (or "cannot read ...") on failure.
std::vector<std::uint8_t> readFileBytes(const std::string& path);

} // namespace lora
