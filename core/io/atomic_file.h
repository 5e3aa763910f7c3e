#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lora {

// Write `bytes` to `path` atomically: temp file beside it, fsync, rename. An existing `path`
// must be a regular file (io/output_guard.h); on failure the previous file (if any) is
// untouched and an InputError names the path and the reason.
void writeFileAtomic(const std::string& path, const std::vector<std::uint8_t>& bytes);
void writeFileAtomic(const std::string& path, const std::string& text);

// Replaces the folder `dir` as a whole: `fill` writes the new contents into a temporary
// sibling folder, the old folder's other entries (sub-folders too) are carried across as hard
// links — except those named in `owned`, which belong to the old version — and one
// RENAME_EXCHANGE swaps the two. The folder keeps its mode. A kill at any moment leaves the
// old folder or the new one, plus temporaries that the next write beside it removes. An
// existing `dir` must be a real folder that is empty or `isOurs`; `lacking` says what a
// foreign one lacks ("no adapter_config.json"). Throws InputError; nothing changes then.
void replaceDirectoryAtomic(const std::string& dir,
                            const std::function<void(const std::string& temp)>& fill,
                            const std::vector<std::string>& owned,
                            const std::function<bool(const std::string&)>& isOurs,
                            const std::string& lacking);

// replaceDirectoryAtomic with `files` (name -> bytes) as the new contents. The last file names
// the folder's kind: an existing folder is replaced only if it holds that file (an adapter
// folder its adapter_config.json).
void writeDirectoryAtomic(
    const std::string& dir,
    const std::vector<std::pair<std::string, std::vector<std::uint8_t>>>& files);

} // namespace lora
