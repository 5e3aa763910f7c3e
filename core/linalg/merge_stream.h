#pragma once
// One checkpoint shard streamed into its merged copy: the header bytes as they are, every
// tensor no adapter module changes copied byte for byte, and each changed one read in row
// blocks, widened to float32, W += ΔW, narrowed back to its own dtype (F16/BF16 rounded to
// nearest even) and written. Memory: one row block of a tensor and its ΔW.
#include "io/atomic_stream.h"
#include "io/checkpoint_reader.h"
#include "linalg/module_delta.h"

#include <map>
#include <string>

namespace lora {

struct ShardMergeStats {
    int merged = 0, copied = 0;
    std::map<std::string, double> maxDelta; // tensor -> max |ΔW| as added
};

// `deltas`: tensor name -> its change, for the tensors of `shard` to change (F32, F16 or BF16;
// shapes checked by the caller). InputError when a changed tensor holds, or would hold after
// the merge, a NaN or an infinity (like PEFT's safe_merge); the stream is then not committed.
ShardMergeStats writeMergedShard(const CheckpointReader& shard,
                                 const std::map<std::string, const WeightDelta*>& deltas,
                                 AtomicFileStream& out);

} // namespace lora
