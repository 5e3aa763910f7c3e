#include "linalg/checkpoint_merge.h"

#include "io/atomic_file.h"
#include "io/atomic_stream.h"
#include "io/checkpoint_index.h"
#include "io/checkpoint_reader.h"
#include "io/lora_file.h"
#include "io/lora_file_config.h"
#include "io/lora_file_keys.h"
#include "io/output_guard.h"
#include "linalg/checkpoint_targets.h"
#include "linalg/merge_stream.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <memory>

#include <sys/stat.h>

namespace lora {

namespace {

namespace fs = std::filesystem;

std::string shapeText(const std::vector<std::int64_t>& shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
    return s + "]";
}

// Everything decided before a byte is written.
struct Plan {
    CheckpointLayout layout;
    std::vector<std::unique_ptr<CheckpointReader>> readers; // parallel layout.shards
    std::deque<WeightDelta> deltas;                         // stable addresses
    std::vector<std::map<std::string, const WeightDelta*>> perShard;
    std::vector<MergedModule> modules;
};

bool fanInFanOut(const LoraSource& source, const std::string& adapter) {
    if (source.config.empty())
        return ScaleRules(nullptr, source.tensors.metadata, adapter).fanInFanOut();
    const nlohmann::json config = nlohmann::json::parse(source.config);
    return ScaleRules(&config, source.tensors.metadata, adapter).fanInFanOut();
}

// InputError unless `t` is a float weight of the shape `module`'s ΔW has. A conv's
// [out, in, kh, kw] may meet a flattened [out, in·kh·kw] (LoHa, LoKr, a 1×1 conv as linear).
void checkTarget(const CheckpointTensor& t, const std::string& shard, const LoraModule& module,
                 const WeightDelta& delta, const std::string& what) {
    const std::string names = what + ": module " + quotedName(module.name) + " targets tensor " +
                              quotedName(t.name) + " of " + shard;
    if (t.dtype != "F32" && t.dtype != "F16" && t.dtype != "BF16") {
        const bool floating = t.dtype[0] == 'F' || t.dtype == "BF16";
        throw InputError(
            names + ", which is " + t.dtype +
            (floating ? "; merge-into changes F32, F16 and BF16 weights" : ", not floating point"));
    }
    const bool same = module.shape == t.shape;
    const bool flattened = !t.shape.empty() && t.shape[0] == delta.rows() &&
                           t.values() == static_cast<std::uint64_t>(delta.rows() * delta.cols());
    if (!same && !(flattened && module.shape.size() != t.shape.size()))
        throw InputError(names + ", whose shape " + shapeText(t.shape) +
                         " differs from the module's " + shapeText(module.shape));
}

Plan makePlan(const std::string& base, const std::string& adapter, double weight) {
    Plan plan;
    plan.layout = locateCheckpoint(base);
    std::vector<const CheckpointReader*> readers;
    std::vector<std::string> names;
    std::map<std::string, std::size_t> shardOf;
    for (std::size_t k = 0; k < plan.layout.shards.size(); ++k) {
        plan.readers.push_back(std::make_unique<CheckpointReader>(plan.layout.shardPath(k)));
        readers.push_back(plan.readers.back().get());
        for (const CheckpointTensor& t : readers.back()->tensors()) {
            if (!shardOf.emplace(t.name, k).second)
                throw InputError(base + ": tensor " + quotedName(t.name) + " is in two shards");
            names.push_back(t.name);
        }
    }
    checkIndexAgainstShards(plan.layout, readers);
    plan.perShard.resize(readers.size());

    LoraSource source;
    const LoraFile file = readLoraFile(adapter, &source);
    for (const NamedTensor& t : source.tensors.tensors)
        if (splitKey(t.name).part == KeyPart::UpBias) // PEFT's lora_bias: b += s·lora_B.bias
            throw InputError(adapter + ": tensor " + quotedName(t.name) +
                             " is a LoRA bias (lora_bias), which merge-into does not merge");
    const bool transposedConv1D = fanInFanOut(source, adapter);
    const CheckpointTargets targets(names);
    for (const LoraModule& module : file.modules) {
        const std::string tensor = targets.weightFor(module.name, adapter);
        const std::size_t k = shardOf.at(tensor);
        plan.deltas.emplace_back(module, storesTransposed(module, transposedConv1D), weight);
        const std::string shard = plan.layout.folder ? plan.layout.shards[k] : base;
        checkTarget(*readers[k]->find(tensor), shard, module, plan.deltas.back(), adapter);
        if (!plan.perShard[k].emplace(tensor, &plan.deltas.back()).second)
            throw InputError(adapter + ": module " + quotedName(module.name) + " targets tensor " +
                             quotedName(tensor) +
                             ", which another module of the adapter targets too");
        plan.modules.push_back({module.name, tensor, plan.layout.shards[k], 0});
    }
    return plan;
}

void mergeShard(Plan& plan, std::size_t k, const std::string& path, CheckpointMerge& result) {
    AtomicFileStream out(path);
    const ShardMergeStats stats = writeMergedShard(*plan.readers[k], plan.perShard[k], out);
    out.commit();
    result.tensorsMerged += stats.merged;
    result.tensorsCopied += stats.copied;
    result.bytes += out.written();
    for (MergedModule& m : plan.modules)
        if (m.shard == plan.layout.shards[k]) m.maxDelta = stats.maxDelta.at(m.tensor);
}

void copyFile(const std::string& from, const std::string& to, CheckpointMerge& result) {
    const InputFile in(from, kMaxCheckpointShardBytes);
    AtomicFileStream out(to);
    out.copy(
        in.descriptor(),
        [&in](std::uint8_t* o, std::uint64_t at, std::size_t n) { in.readAt(o, at, n); }, 0,
        in.size());
    out.commit();
    result.bytes += out.written();
    ++result.filesCopied;
}

// The files an older merge into `dir` wrote: they are replaced, never carried into the new one.
std::vector<std::string> ownedShards(const std::string& dir) {
    std::vector<std::string> owned;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.ends_with(".safetensors") || name.ends_with(".safetensors.index.json"))
            owned.push_back(name);
    }
    return owned;
}

void writeFolder(Plan& plan, const std::string& out, CheckpointMerge& result) {
    const CheckpointLayout& layout = plan.layout;
    const std::string marker = layout.indexName.empty() ? layout.shards[0] : layout.indexName;
    const auto isOurs = [&marker](const std::string& dir) {
        struct stat st {};
        return ::lstat((dir + "/" + marker).c_str(), &st) == 0 && S_ISREG(st.st_mode);
    };
    replaceDirectoryAtomic(
        out,
        [&](const std::string& temp) {
            for (std::size_t k = 0; k < layout.shards.size(); ++k)
                mergeShard(plan, k, temp + "/" + layout.shards[k], result);
            for (const std::string& name : layout.otherFiles)
                copyFile(layout.root + "/" + name, temp + "/" + name, result);
            if (!layout.indexName.empty()) { // shapes, dtypes and places are unchanged
                writeFileAtomic(temp + "/" + layout.indexName, layout.indexBytes);
                result.bytes += layout.indexBytes.size();
            }
        },
        ownedShards(out), isOurs, "no " + marker);
}

} // namespace

CheckpointMerge mergeIntoCheckpoint(const std::string& base, const std::string& adapter,
                                    const std::string& out, double weight) {
    const auto start = std::chrono::steady_clock::now();
    if (!std::isfinite(weight)) throw InputError("the merge weight must be a finite number");
    checkOutputsAreNotInputs({{"--out", out}}, {{"--base", base}, {"--adapter", adapter}});
    Plan plan = makePlan(base, adapter, weight);
    CheckpointMerge result;
    result.folder = plan.layout.folder;
    if (plan.layout.folder) {
        writeFolder(plan, out, result);
    } else {
        checkFileOutput(out);
        mergeShard(plan, 0, out, result);
    }
    result.modules = std::move(plan.modules);
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace lora
