#pragma once
// Command-line flags of one sub-command: "--name value" pairs and bare "--switch"es.
// Every accessor validates and throws InputError naming the flag, so bad input becomes
// a one-line message and exit code 2.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lora::cli {

// One flag as a command accepts it and `lora-cli help COMMAND` lists it.
struct Flag {
    std::string name;  // without the leading "--"
    std::string value; // what it takes, e.g. "FILE"; empty for a switch
    std::string help;  // one line
};

class Args {
public:
    // `flags` are those the command accepts (commands.cpp's table). A flag in `refused` is
    // known elsewhere but not here: its message replaces "unknown option".
    Args(const std::vector<std::string>& argv, const std::vector<Flag>& flags,
         const std::map<std::string, std::string>& refused = {});

    bool has(const std::string& flag) const;
    std::string text(const std::string& flag, const std::string& fallback) const;
    std::string required(const std::string& flag) const;
    long integer(const std::string& flag, long fallback, long min, long max) const;
    float number(const std::string& flag, float fallback) const; // finite
    std::uint64_t seed(const std::string& flag) const;

    // A value (or, with an empty `value`, a switch) for a flag the command line did not give:
    // --settings FILE fills in its defaults this way, so that flags typed out win.
    void setDefault(const std::string& flag, const std::string& value);

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_switches;
};

} // namespace lora::cli
