#include "io/json_limits.h"

#include "util/error.h"

#include <nlohmann/json.hpp>

#include <set>
#include <vector>

namespace lora {

namespace {

using nlohmann::json;

// The first fault ends the pass: every handler returns false once one is found.
class Checker : public nlohmann::json_sax<json> {
public:
    explicit Checker(const JsonLimits& limits) : m_limits(limits) {}

    std::string fault;         // empty while the text is fine
    std::size_t errorByte = 0; // for a syntax error

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        m_keys.emplace_back();
        return value() && open();
    }
    bool key(string_t& key) override {
        if (m_keys.size() == 1 && m_keys.back().size() >= m_limits.maxTopLevelKeys)
            return refuse("has more than " + std::to_string(m_limits.maxTopLevelKeys) + " entries");
        if (!m_keys.back().insert(key).second)
            return refuse("has duplicate key '" + key.substr(0, 60) + "'");
        return value();
    }
    bool end_object() override {
        m_keys.pop_back();
        --m_depth;
        return true;
    }
    bool start_array(std::size_t) override { return value() && open(); }
    bool end_array() override {
        --m_depth;
        return true;
    }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception&) override {
        errorByte = position;
        fault = "is not valid JSON (error at byte " + std::to_string(position) + ")";
        return false;
    }

private:
    bool refuse(const std::string& why) {
        fault = why;
        return false;
    }
    bool value() {
        if (++m_values <= m_limits.maxValues) return true;
        return refuse("has more than " + std::to_string(m_limits.maxValues) + " values");
    }
    bool open() {
        if (++m_depth <= m_limits.maxDepth) return true;
        return refuse("nests deeper than " + std::to_string(m_limits.maxDepth) + " levels");
    }

    const JsonLimits& m_limits;
    std::vector<std::set<std::string>> m_keys; // of each open object
    std::size_t m_values = 0;
    int m_depth = 0;
};

} // namespace

void checkJsonText(const std::uint8_t* begin, const std::uint8_t* end, const JsonLimits& limits,
                   const std::string& what, const std::string& label) {
    Checker checker(limits);
    bool ok = false;
    try {
        ok = json::sax_parse(begin, end, &checker);
    } catch (const json::exception&) {
        // sax_parse reports syntax through parse_error; anything else is still bad JSON.
    }
    if (!checker.fault.empty()) throw InputError(what + ": " + label + " " + checker.fault);
    if (!ok) throw InputError(what + ": " + label + " is not valid JSON");
}

} // namespace lora
