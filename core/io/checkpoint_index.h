#pragma once
// Where a model checkpoint's tensors are: one .safetensors file, or a folder as transformers
// and diffusers write it — model.safetensors (diffusion_pytorch_model.safetensors) or, sharded,
// model.safetensors.index.json (diffusion_pytorch_model.safetensors.index.json) whose
// weight_map names the shard of every tensor — plus the folder's other files (config.json,
// tokenizer files …), which belong to the checkpoint too.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lora {

class CheckpointReader;

struct CheckpointLayout {
    bool folder = false;
    std::string root;                             // the folder; the file itself when !folder
    std::string indexName;                        // empty without an index
    std::vector<std::uint8_t> indexBytes;         // the index as read
    std::vector<std::string> shards;              // file names in root (the path when !folder)
    std::map<std::string, std::string> weightMap; // tensor -> shard name, from the index
    std::vector<std::string> otherFiles;          // the folder's other regular files, by name

    std::string shardPath(std::size_t k) const { return folder ? root + "/" + shards[k] : root; }
};

// InputError "<path>: …" for a path that is no checkpoint, an index that is not the JSON
// transformers writes, or one whose shard names leave the folder or name missing files.
CheckpointLayout locateCheckpoint(const std::string& path);

// InputError "<index>: …" unless every tensor of every shard is in the weight map under that
// shard and every tensor of the weight map is in its shard. `readers` parallel layout.shards.
void checkIndexAgainstShards(const CheckpointLayout& layout,
                             const std::vector<const CheckpointReader*>& readers);

} // namespace lora
