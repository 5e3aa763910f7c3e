// The flags several lora-cli commands share, each defined once with its help line.
#include "cli/commands.h"
#include "nn/lora_linear.h"

#include <stdexcept>

namespace lora::cli {

namespace {

const std::vector<Flag> kShared = {
    {"base", "FILE", "the trained base model (.safetensors, as train writes it)"},
    {"classes", "7,8", "digits of the task in output order, or all (default: the base's own)"},
    {"arch", "784-64-2", "MLP widths from input to output"},
    {"adapter", "DIR", "an adapter folder in PEFT's layout"},
    {"matrix", "FILE", "a matrix: numpy.savetxt text or a .safetensors file"},
    {"tensor", "NAME", "with a .safetensors --matrix: which 2-D tensor (default: the only one)"},
    {"example", "rank1|rank2|zeros", "a built-in 2×2 example instead of --matrix"},
    {"layer", "fc1", "which layer of the base"},
    {"data", "DIR",
     "read the torchvision MNIST IDX files in DIR (or DIR/MNIST/raw) instead of the embedded "
     "digits"},
    {"epochs", "N", "passes over the training split"},
    {"lr", "X", "learning rate (default 0.01)"},
    {"batch", "N", "samples per batch (default 64)"},
    {"optimizer", "adam|sgd", "optimiser (default adam)"},
    {"max-steps", "N", "stop after N batches in total"},
    {"seed", "N", "seed of the initialisation; shuffling uses N + 1 (default 0)"},
    {"threads", "N", "cores for large products; 1 (the default) is bit-exact"},
    {"rank", "R", "LoRA rank r, 1…" + std::to_string(kMaxRank)},
    {"alpha", "X", "LoRA α: the update is scaled by α/r (α/√r with --rslora)"},
    {"rslora", "", "scale by α/√r (rsLoRA) instead of α/r"},
    {"init", "kaiming|gaussian|pissa", "how A and B start (default kaiming)"},
    {"targets", "fc1,fc2", "layers to adapt, or all (default: all)"},
    {"out", "PATH", "write the result there (nothing is written on bad input)"},
    {"settings", "FILE",
     "defaults for the other flags from the GUI's settings: a session's session.json or its "
     "\"settings\" object alone; flags given on the command line win"},
};

std::vector<Flag> pick(std::initializer_list<const char*> names) {
    std::vector<Flag> flags;
    for (const char* n : names) flags.push_back(sharedFlag(n));
    return flags;
}

} // namespace

const Flag& sharedFlag(const std::string& name) {
    for (const Flag& f : kShared)
        if (f.name == name) return f;
    throw std::logic_error("no shared flag --" + name); // a typo in the table
}

const FlagGroup kDataGroup{"data", pick({"data"})};
const FlagGroup kTrainingGroup{
    "training", pick({"epochs", "lr", "batch", "optimizer", "max-steps", "seed", "threads"})};
const FlagGroup kLoraGroup{"LoRA", pick({"rank", "alpha", "rslora", "init", "targets"})};
const FlagGroup kOutputGroup{"output", pick({"out"})};

} // namespace lora::cli
