#include "io/checkpoint_index.h"

#include "io/checkpoint_reader.h"
#include "io/input_gate.h"
#include "io/json_limits.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

#include <sys/stat.h>

namespace lora {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// transformers' names first, then diffusers'.
const char* const kWeightNames[] = {"model.safetensors", "diffusion_pytorch_model.safetensors"};
constexpr std::uint64_t kMaxIndexBytes = 64 << 20; // ~100 B per tensor: far over any model's

bool isRegular(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// A shard is named by a plain file name in the folder: nothing that could lead out of it.
bool plainName(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
           name.find('\\') == std::string::npos && name.find('\0') == std::string::npos;
}

void readIndex(CheckpointLayout& layout) {
    const std::string what = layout.root + "/" + layout.indexName;
    layout.indexBytes = readFileBytes(what, kMaxIndexBytes);
    const std::uint8_t* b = layout.indexBytes.data();
    checkJsonText(b, b + layout.indexBytes.size(), JsonLimits{8, 100'000, 4'000'000}, what,
                  "index");
    const json index = json::parse(b, b + layout.indexBytes.size());
    const auto map = index.is_object() ? index.find("weight_map") : index.end();
    if (map == index.end() || !map->is_object() || map->empty())
        throw InputError(what + ": has no weight_map object naming the shards");
    std::set<std::string> shards;
    for (const auto& [tensor, shard] : map->items()) {
        if (!shard.is_string() || !plainName(shard.get<std::string>()))
            throw InputError(what + ": tensor " + quotedName(tensor) +
                             " is mapped to something that is not a file name in the folder");
        const std::string name = shard.get<std::string>();
        layout.weightMap[tensor] = name;
        if (shards.insert(name).second) layout.shards.push_back(name);
    }
    std::sort(layout.shards.begin(), layout.shards.end());
    for (const std::string& shard : layout.shards)
        if (!isRegular(layout.root + "/" + shard))
            throw InputError(what + ": names shard " + quotedName(shard) + ", which is missing");
}

} // namespace

CheckpointLayout locateCheckpoint(const std::string& path) {
    CheckpointLayout layout;
    layout.root = path;
    std::error_code ec;
    if (!fs::is_directory(path, ec)) {
        if (!fs::exists(path, ec)) throw InputError("cannot open " + path + ": no such file");
        layout.shards = {path};
        return layout;
    }
    layout.folder = true;
    for (const char* weights : kWeightNames) {
        const std::string index = std::string(weights) + ".index.json";
        if (isRegular(path + "/" + index)) {
            layout.indexName = index;
            readIndex(layout);
            break;
        }
        if (isRegular(path + "/" + weights)) {
            layout.shards = {weights};
            break;
        }
    }
    if (layout.shards.empty())
        throw InputError(path + ": holds no model.safetensors, diffusion_pytorch_model.safetensors "
                                "or their .index.json");
    std::set<std::string> taken(layout.shards.begin(), layout.shards.end());
    if (!layout.indexName.empty()) taken.insert(layout.indexName);
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (!taken.count(name) && isRegular(it->path().string())) layout.otherFiles.push_back(name);
    }
    std::sort(layout.otherFiles.begin(), layout.otherFiles.end());
    return layout;
}

void checkIndexAgainstShards(const CheckpointLayout& layout,
                             const std::vector<const CheckpointReader*>& readers) {
    if (layout.indexName.empty()) return;
    const std::string what = layout.root + "/" + layout.indexName;
    std::size_t seen = 0;
    for (std::size_t k = 0; k < readers.size(); ++k)
        for (const CheckpointTensor& t : readers[k]->tensors()) {
            const auto it = layout.weightMap.find(t.name);
            if (it == layout.weightMap.end() || it->second != layout.shards[k])
                throw InputError(what + ": does not map tensor " + quotedName(t.name) +
                                 " to the shard " + quotedName(layout.shards[k]) + " holding it");
            ++seen;
        }
    if (seen == layout.weightMap.size()) return;
    for (const auto& [tensor, shard] : layout.weightMap) {
        const auto k = std::find(layout.shards.begin(), layout.shards.end(), shard);
        if (!readers[static_cast<std::size_t>(k - layout.shards.begin())]->find(tensor))
            throw InputError(what + ": maps tensor " + quotedName(tensor) + " to shard " +
                             quotedName(shard) + ", which does not hold it");
    }
}

} // namespace lora
