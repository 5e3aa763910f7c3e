// lora-cli: runs LoRA Explorer's experiments headlessly and prints JSON. Every command, its
// flags and its usage come from one table (commands.cpp).
#include "cli/commands.h"
#include "cli/outputs.h"
#include "util/error.h"

#include <iostream>
#include <new>

namespace {

using lora::InputError;
using lora::cli::Command;

const char* kHelpHint = " (try lora-cli help)";

bool isHelp(const std::string& arg) {
    return arg == "help" || arg == "--help" || arg == "-h";
}

// "adapters" when some command is called "adapters …": a family of sub-commands.
std::vector<std::string> subcommandsOf(const std::string& family) {
    std::vector<std::string> actions;
    for (const Command& c : lora::cli::commands())
        if (c.name.rfind(family + " ", 0) == 0) actions.push_back(c.name.substr(family.size() + 1));
    return actions;
}

// "a, b or c"
std::string listed(const std::vector<std::string>& items, const std::string& last = " or ") {
    std::string s;
    for (std::size_t i = 0; i < items.size(); ++i)
        s += (i == 0 ? "" : i + 1 == items.size() ? last : ", ") + items[i];
    return s;
}

// The command that args names ("train" or "adapters merge"); its words are taken off args.
const Command& chooseCommand(std::vector<std::string>& args) {
    const std::string first = args.front();
    args.erase(args.begin());
    if (const Command* c = lora::cli::findCommand(first)) return *c;
    const std::vector<std::string> actions = subcommandsOf(first);
    if (actions.empty()) throw InputError("unknown command '" + first + "'" + kHelpHint);
    if (args.empty()) throw InputError(first + " needs an action: " + listed(actions));
    const std::string action = args.front();
    args.erase(args.begin());
    if (const Command* c = lora::cli::findCommand(first + " " + action)) return *c;
    throw InputError("unknown " + first + " action '" + action + "' (use " + listed(actions) + ")");
}

// `help`, `help COMMAND`, `help adapters` (every adapters command).
int printHelp(const std::vector<std::string>& topic) {
    if (topic.empty()) {
        std::cout << lora::cli::usageText();
        return 0;
    }
    std::string name;
    for (const std::string& word : topic) name += (name.empty() ? "" : " ") + word;
    if (const Command* c = lora::cli::findCommand(name)) {
        std::cout << lora::cli::commandHelp(*c);
        return 0;
    }
    const std::vector<std::string> actions = subcommandsOf(name);
    if (actions.empty()) throw InputError("unknown command '" + name + "'" + kHelpHint);
    for (const std::string& action : actions)
        std::cout << lora::cli::commandHelp(*lora::cli::findCommand(name + " " + action)) << "\n";
    return 0;
}

int run(std::vector<std::string> args) {
    if (isHelp(args.front())) return printHelp({args.begin() + 1, args.end()});
    // `lora-cli adapters --help` as `lora-cli help adapters`.
    if (args.size() == 2 && isHelp(args[1]) && !subcommandsOf(args[0]).empty())
        return printHelp({args[0]});
    const Command& command = chooseCommand(args);
    if (!args.empty() && isHelp(args.front())) return printHelp({command.name});
    std::map<std::string, std::string> refused;
    if (!command.readsDigits())
        refused["data"] = command.name + " reads no digits, so --data does not apply (it does to " +
                          listed(lora::cli::digitReaders(), " and ") + ")";
    const lora::cli::Args parsed(args, command.accepted(), refused);
    lora::cli::checkOutputs(args, command.accepted()); // before any work: refusals are cheap
    return command.run(parsed);
}

} // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) {
        std::cout << lora::cli::usageText();
        return 2;
    }
    try {
        return run(args);
    } catch (const InputError& e) {
        std::cerr << "lora-cli: " << e.what() << std::endl;
        return 2;
    } catch (const std::bad_alloc&) {
        // Sizes within the budget (nn/model_budget.h) fit; this is a machine short of memory
        // or a limit (ulimit -v) set lower. A refusal like any other: nothing was written.
        std::cerr << "lora-cli: "
                  << lora::oneLine("out of memory while running " + args.front() +
                                       " (the input is too large for the memory available)",
                                   lora::kMaxErrorChars)
                  << std::endl;
        return 2;
    } catch (const std::exception& e) {
        // Not an InputError, so not cut on the way: one bounded line here.
        std::cerr << "lora-cli: "
                  << lora::oneLine(std::string("internal error: ") + e.what(), lora::kMaxErrorChars)
                  << std::endl;
        return 1;
    }
}
