#pragma once
// One safetensors file of a model checkpoint, opened for streaming: its header decoded (every
// dtype the format defines, not only the floating ones LoRA files use) and each tensor's raw
// byte range, read through InputFile only when asked for. A checkpoint's shard may be far
// larger than any LoRA file, so it has its own budget; what it costs in memory is its header.
#include "io/input_gate.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lora {

// A shard of a 70B model in one file is ~10 GB; 64 GiB leaves room for single-file giants.
inline constexpr std::uint64_t kMaxCheckpointShardBytes = 64ull << 30;
// Real checkpoint headers are well under 1 MiB (~300 B per tensor); the reference reader
// allows 100 MB.
inline constexpr std::uint64_t kMaxCheckpointHeaderBytes = 64ull << 20;

struct CheckpointTensor {
    std::string name;
    std::string dtype; // as the header spells it: "F32", "BF16", "I64", "F8_E4M3", …
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0; // from the start of the data

    std::uint64_t bytes() const { return end - begin; }
    std::uint64_t values() const;
};

// Bytes per value of a safetensors dtype, or 0 for a dtype the format does not define.
std::size_t checkpointDTypeSize(const std::string& dtype);

class CheckpointReader {
public:
    // InputError "<path>: …" for a file that is not safetensors or whose header does not match
    // its data (unknown dtype, offsets with gaps or overlaps, truncation).
    explicit CheckpointReader(const std::string& path, const std::string& folder = {});

    const std::string& path() const { return m_in.path(); }
    std::uint64_t fileSize() const { return m_in.size(); }
    std::uint64_t dataStart() const { return m_dataStart; } // 8 + header length
    // The first dataStart() bytes of the file as they are, for a copy that keeps them exactly.
    const std::vector<std::uint8_t>& headerBytes() const { return m_headerBytes; }
    const std::vector<CheckpointTensor>& tensors() const { return m_tensors; } // by offset
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }
    const CheckpointTensor* find(const std::string& name) const;

    int descriptor() const { return m_in.descriptor(); } // for copy_file_range
    // out: [n] <- the file's bytes [offset, offset + n) (absolute offsets).
    void readAt(std::uint8_t* out, std::uint64_t offset, std::size_t n) const {
        m_in.readAt(out, offset, n);
    }

private:
    InputFile m_in;
    std::uint64_t m_dataStart = 0;
    std::vector<std::uint8_t> m_headerBytes;
    std::vector<CheckpointTensor> m_tensors;
    std::map<std::string, std::size_t> m_byName;
    std::map<std::string, std::string> m_metadata;
};

} // namespace lora
