#pragma once
// What a write may replace. The README promises that a write never replaces anything the
// program did not write: an existing path is replaced only if it is a regular file (for a
// file) or a real folder that is empty or recognisably ours (for a folder). Symbolic links,
// devices, FIFOs, sockets and other folders are refused with one line, before anything is
// written. The CLI and the GUI both reach these checks through atomic_file.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace lora {

// `path` cut to a length that keeps a message on one short line.
std::string shownPath(const std::string& path);

// InputError unless `path` is absent or a regular file (a symbolic link is refused even if
// it points at one: replacing it would either break the link or write through it).
void checkFileOutput(const std::string& path);

// InputError unless `path` is absent, or a real folder that is empty or for which
// `isOurs(path)` holds. `lacking` says what a foreign folder lacks, e.g. "no
// adapter_config.json".
void checkFolderOutput(const std::string& path,
                       const std::function<bool(const std::string&)>& isOurs,
                       const std::string& lacking);

// For a caller that does not yet know whether a file or a folder will be written there (the
// CLI checks --out before it trains): refuses what no write could replace.
void checkOutputTarget(const std::string& path);

// `outputs` and `inputs` are (label, path) pairs, e.g. ("--out", "a.safetensors"). Refuses when
// an output is the same file (device and inode, so links and other spellings count) as an
// input, or when one of them is a folder holding the other.
void checkOutputsAreNotInputs(const std::vector<std::pair<std::string, std::string>>& outputs,
                              const std::vector<std::pair<std::string, std::string>>& inputs);

// A temporary name beside `path` that removeStaleTemps recognises: "<path>.lora-tmp-<pid>-<n>"
// (or "lora-old" for an old folder moved aside, which is put back if its target is missing).
std::string tempPathFor(const std::string& path, const char* kind = "tmp");

// Removes what writers that are gone (killed, say) left in `dir`: entries named by
// tempPathFor whose process no longer runs. Quiet: a failure here loses nothing.
void removeStaleTemps(const std::string& dir);

} // namespace lora
