#pragma once
// Command-line flags of one sub-command: "--name value" pairs and bare "--switch"es.
// Every accessor validates and throws InputError naming the flag, so bad input becomes
// a one-line message and exit code 2.
#include <map>
#include <set>
#include <string>
#include <vector>

namespace lora::cli {

class Args {
public:
    // `valued` lists flags that take a value, `switches` those that do not.
    Args(const std::vector<std::string>& argv, const std::set<std::string>& valued,
         const std::set<std::string>& switches);

    bool has(const std::string& flag) const;
    std::string text(const std::string& flag, const std::string& fallback) const;
    std::string required(const std::string& flag) const;
    long integer(const std::string& flag, long fallback, long min, long max) const;
    float number(const std::string& flag, float fallback) const; // finite
    std::uint64_t seed(const std::string& flag) const;

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_switches;
};

} // namespace lora::cli
