#include "cli/outputs.h"

#include "io/output_guard.h"
#include "util/error.h"

#include <utility>

namespace lora::cli {

namespace {

bool isOutputFlag(const std::string& name) {
    return name == "out" || name == "logits";
}

// A flag whose value names files or folders ("FILE", "DIR,DIR", "PARENT", "FILE.csv", "MODEL").
bool namesPaths(const Flag& flag) {
    for (const char* word : {"FILE", "DIR", "PARENT", "PATH", "MODEL"})
        if (flag.value.find(word) != std::string::npos) return true;
    return false;
}

const Flag* findFlag(const std::vector<Flag>& flags, const std::string& name) {
    for (const Flag& f : flags)
        if (f.name == name) return &f;
    return nullptr;
}

} // namespace

void checkOutputs(const std::vector<std::string>& argv, const std::vector<Flag>& accepted) {
    using Labelled = std::vector<std::pair<std::string, std::string>>;
    Labelled outputs, inputs;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        // A bare argument is the command's PATH (args.cpp): an input like --path's value.
        if (argv[i].rfind("--", 0) != 0) {
            if (findFlag(accepted, "path") || findFlag(accepted, "inputs"))
                inputs.emplace_back("PATH", argv[i]);
            continue;
        }
        if (i + 1 >= argv.size()) break;
        const Flag* flag = findFlag(accepted, argv[i].substr(2));
        if (!flag || flag->value.empty()) continue; // a switch
        const std::string label = "--" + flag->name;
        const std::string& value = argv[++i];
        if (isOutputFlag(flag->name)) {
            outputs.emplace_back(label, value);
        } else if (namesPaths(*flag)) {
            // "DIR,DIR": each item is an input of its own (and the whole, for a name with a
            // comma in it).
            inputs.emplace_back(label, value);
            if (value.find(',') == std::string::npos) continue;
            for (std::size_t begin = 0; begin <= value.size();) {
                std::size_t end = value.find(',', begin);
                if (end == std::string::npos) end = value.size();
                if (end > begin) inputs.emplace_back(label, value.substr(begin, end - begin));
                begin = end + 1;
            }
        }
    }
    for (const auto& output : outputs) {
        try {
            checkOutputTarget(output.second);
        } catch (const InputError& e) {
            throw InputError(output.first + ": " + e.what());
        }
    }
    checkOutputsAreNotInputs(outputs, inputs);
}

} // namespace lora::cli
