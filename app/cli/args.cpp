#include "cli/args.h"

#include "util/error.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace lora::cli {

namespace {

const Flag* findFlag(const std::vector<Flag>& flags, const std::string& name) {
    for (const Flag& f : flags)
        if (f.name == name) return &f;
    return nullptr;
}

} // namespace

Args::Args(const std::vector<std::string>& argv, const std::vector<Flag>& flags,
           const std::map<std::string, std::string>& refused) {
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (a.rfind("--", 0) != 0) {
            // A command that takes --inputs takes any number bare: lora-cli combine A B --out C.
            if (findFlag(flags, "inputs")) {
                std::string& inputs = m_values["inputs"];
                inputs += (inputs.empty() ? "" : ",") + a;
                continue;
            }
            // A command that takes --path also takes its value bare: lora-cli inspect PATH.
            if (!findFlag(flags, "path") || m_values.count("path"))
                throw InputError("unexpected argument '" + a + "'");
            m_values["path"] = a;
            continue;
        }
        const std::string name = a.substr(2);
        const Flag* flag = findFlag(flags, name);
        if (!flag && refused.count(name)) throw InputError(refused.at(name));
        if (flag && flag->value.empty()) {
            m_switches.insert(name);
        } else if (flag) {
            if (i + 1 >= argv.size()) throw InputError("--" + name + " needs a value");
            if (m_values.count(name)) throw InputError("--" + name + " is given twice");
            m_values[name] = argv[++i];
        } else {
            throw InputError("unknown option '" + a + "'");
        }
    }
}

void Args::setDefault(const std::string& flag, const std::string& value) {
    if (has(flag)) return;
    if (value.empty())
        m_switches.insert(flag);
    else
        m_values[flag] = value;
}

bool Args::has(const std::string& flag) const {
    return m_switches.count(flag) || m_values.count(flag);
}

std::string Args::text(const std::string& flag, const std::string& fallback) const {
    auto it = m_values.find(flag);
    return it == m_values.end() ? fallback : it->second;
}

std::string Args::required(const std::string& flag) const {
    auto it = m_values.find(flag);
    if (it == m_values.end()) throw InputError("--" + flag + " is required");
    return it->second;
}

long Args::integer(const std::string& flag, long fallback, long min, long max) const {
    auto it = m_values.find(flag);
    if (it == m_values.end()) return fallback;
    const std::string& s = it->second;
    char* end = nullptr;
    errno = 0;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno == ERANGE)
        throw InputError("--" + flag + ": '" + s + "' is not a whole number");
    if (v < min || v > max)
        throw InputError("--" + flag + " must be between " + std::to_string(min) + " and " +
                         std::to_string(max) + " (got " + s + ")");
    return v;
}

float Args::number(const std::string& flag, float fallback) const {
    auto it = m_values.find(flag);
    if (it == m_values.end()) return fallback;
    const std::string& s = it->second;
    char* end = nullptr;
    const float v = std::strtof(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v))
        throw InputError("--" + flag + ": '" + s + "' is not a number");
    return v;
}

std::uint64_t Args::seed(const std::string& flag) const {
    return static_cast<std::uint64_t>(integer(flag, 0, 0, 2147483647L));
}

} // namespace lora::cli
