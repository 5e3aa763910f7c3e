#pragma once
// The table of lora-cli's commands: name, one-line summary, typical use, the flags it
// accepts (its own and shared groups) and the function that runs it. main.cpp dispatches
// through it, and `lora-cli help [COMMAND]` prints it, so the two cannot disagree.
#include "cli/args.h"

#include <string>
#include <vector>

namespace lora::cli {

// Flags several commands share, defined once (flags.cpp) with one help line each.
struct FlagGroup {
    std::string title; // "data", "training", "LoRA", "output"
    std::vector<Flag> flags;
};

extern const FlagGroup kDataGroup;     // --data: commands that read MNIST digits
extern const FlagGroup kTrainingGroup; // --epochs --lr --batch --optimizer --max-steps --seed
                                       // --threads
extern const FlagGroup kLoraGroup;     // --rank --alpha --rslora --init --targets
extern const FlagGroup kOutputGroup;   // --out

// Single shared flags, for commands that take some of a group's flags but not all of it.
const Flag& sharedFlag(const std::string& name);

struct Command {
    std::string name;     // "train", "adapters merge"
    std::string summary;  // one line
    std::string synopsis; // typical use with defaults, e.g. "--arch 784-64-2 --classes 3,4"
    std::vector<Flag> flags;
    std::vector<const FlagGroup*> groups;
    int (*run)(const Args& args) = nullptr;
    std::vector<std::string> notes; // extra lines for `help COMMAND`

    std::vector<Flag> accepted() const; // own flags, then the groups'
    bool readsDigits() const;           // takes the data group
};

const std::vector<Command>& commands();
const Command* findCommand(const std::string& name);
// The names of the commands that accept --data, in table order.
std::vector<std::string> digitReaders();

// Usage text: every command with its summary and synopsis; `help COMMAND` adds each flag.
std::string usageText();
std::string commandHelp(const Command& command);

int runTrain(const Args& args);
int runFinetune(const Args& args);
int runEval(const Args& args);
int runRank(const Args& args);
int runSvd(const Args& args);
int runApprox(const Args& args);
int runParams(const Args& args);
int runAnalyze(const Args& args);
int runForgetting(const Args& args);
int runVariants(const Args& args);
int runScaling(const Args& args);
int runBench(const Args& args);
int runInspect(const Args& args);
int runResize(const Args& args);
int runConvert(const Args& args);
int runCombine(const Args& args);
int runMergeInto(const Args& args);
int runAdaptersList(const Args& args);
int runAdaptersImport(const Args& args);
int runAdaptersMerge(const Args& args);
int runAdaptersUnmerge(const Args& args);
int runAdaptersCombine(const Args& args);

} // namespace lora::cli
