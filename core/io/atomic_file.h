#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace lora {

// Write `bytes` to `path` atomically: temp file beside it, fsync, rename. On failure the
// previous file (if any) is untouched and an InputError names the path and the reason.
void writeFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes);
void writeFileAtomic(const std::string& path, const std::string& text);

// Writes `files` (name -> bytes) as the directory `dir`, atomically as a whole: they are
// written into a temporary sibling directory, which then replaces `dir` in one rename (an
// exchange, if `dir` exists; other files already in `dir` are kept, hard-linked across). A
// crash leaves the old directory or the new one, never a mix of the two. Where the file
// system cannot exchange, each file is replaced atomically on its own, in the given order.
void writeDirectoryAtomic(
    const std::string& dir,
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& files);

} // namespace lora
