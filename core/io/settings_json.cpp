#include "io/settings_json.h"

#include "io/input_gate.h"
#include "nn/architecture.h"
#include "util/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <nlohmann/json.hpp>

namespace lora {

namespace {

// Ordered, so that files list the keys in the schema's order.
using Json = nlohmann::ordered_json;

// A field of the schema: how it is written, and how it is read (throwing Refusal, which the
// caller turns into "settings.<key> must be …, not …"; `expected` when the key is missing).
// `check` holds what validate() would refuse of this field alone: remembered settings use
// it to drop one bad key instead of the whole object.
struct Field {
    const char* key;
    const char* expected;
    std::function<Json(const ExperimentSettings&)> write;
    std::function<void(const Json&, ExperimentSettings&)> read;
    std::function<bool(const ExperimentSettings&)> check = [](const ExperimentSettings&) {
        return true;
    };
};

struct Refusal {
    const char* expected;
    const Json* value; // null: missing
};

std::string describe(const Json* v) {
    if (!v) return "missing";
    switch (v->type()) {
    case Json::value_t::null:
        return "null";
    case Json::value_t::boolean:
        return v->get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: {
        char text[32];
        std::snprintf(text, sizeof text, "%.9g", v->get<double>());
        return text;
    }
    case Json::value_t::string: {
        const std::string& s = v->get_ref<const std::string&>();
        return "\"" + s.substr(0, 40) + "\"";
    }
    case Json::value_t::array:
        return "an array";
    case Json::value_t::object:
        return "an object";
    default:
        return "unknown";
    }
}

long long wholeNumber(const Json& v, long long lo, const char* expected) {
    if (!v.is_number()) throw Refusal{expected, &v};
    const double d = v.get<double>();
    if (d != std::floor(d) || d < static_cast<double>(lo) || d > 9.0e15)
        throw Refusal{expected, &v};
    return static_cast<long long>(d);
}

// wholeNumber for an int field: above INT_MAX is refused, never wrapped (2^32 + 4 is not 4).
int wholeInt(const Json& v, const char* expected) {
    const long long n = wholeNumber(v, 1, expected);
    if (n > std::numeric_limits<int>::max()) throw Refusal{expected, &v};
    return static_cast<int>(n);
}

float positiveNumber(const Json& v) {
    const char* expected = "a positive number";
    if (!v.is_number()) throw Refusal{expected, &v};
    const double d = v.get<double>();
    if (!(d > 0) || !std::isfinite(static_cast<float>(d))) throw Refusal{expected, &v};
    return static_cast<float>(d);
}

const std::string& string(const Json& v, const char* expected) {
    if (!v.is_string()) throw Refusal{expected, &v};
    return v.get_ref<const std::string&>();
}

std::vector<int> digits(const Json& v) {
    if (!v.is_array()) throw Refusal{"an array of digits", &v};
    std::vector<int> out;
    for (const Json& d : v) {
        if (!d.is_number() || d.get<double>() != std::floor(d.get<double>()) ||
            d.get<double>() < 0 || d.get<double>() > 9)
            throw Refusal{"an array of digits 0-9", &d};
        out.push_back(d.get<int>());
    }
    return out;
}

// Each digit once, and at least one unless `mayBeEmpty`.
bool distinct(const std::vector<int>& digits, bool mayBeEmpty) {
    for (std::size_t i = 0; i < digits.size(); ++i)
        if (std::find(digits.begin(), digits.begin() + i, digits[i]) != digits.begin() + i)
            return false;
    return mayBeEmpty || !digits.empty();
}

Json digitArray(const std::vector<int>& values) {
    Json a = Json::array();
    for (int v : values) a.push_back(v);
    return a;
}

ExperimentPreset presetFrom(const Json& v) {
    const char* expected = "Transfer, FixWeakDigit or ApproximateMatrix";
    const std::string& key = string(v, expected);
    for (ExperimentPreset p : ExperimentSettings::kPresets)
        if (key == ExperimentSettings::presetKey(p)) return p;
    throw Refusal{expected, &v};
}

std::uint64_t seedFrom(const Json& v) {
    const std::string& text = string(v, "a string");
    const char* expected = "a whole number ≥ 0 in a string";
    std::uint64_t seed = 0;
    const char* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, seed);
    if (text.empty() || ec != std::errc() || ptr != end) throw Refusal{expected, &v};
    return seed;
}

bool exceptionFree(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError&) {
        return false;
    }
    return true;
}

constexpr const char* kWhole = "a whole number ≥ 1";
constexpr const char* kSteps = "a whole number ≥ 1, or -1 for no limit";
constexpr const char* kPositive = "a positive number";
constexpr const char* kLayers = "an array of layer names";

const std::vector<Field>& schema() {
    using S = ExperimentSettings;
    static const std::vector<Field> fields{
        {"preset", "Transfer, FixWeakDigit or ApproximateMatrix",
         [](const S& s) { return Json(S::presetKey(s.preset)); },
         [](const Json& v, S& s) { s.preset = presetFrom(v); }},
        // parseArchitecture names what is wrong with the string itself.
        {"architecture", "a string", [](const S& s) { return Json(s.architecture); },
         [](const Json& v, S& s) {
             s.architecture = formatArchitecture(parseArchitecture(string(v, "a string")));
         }},
        {"base_classes", "an array of digits", [](const S& s) { return digitArray(s.baseClasses); },
         [](const Json& v, S& s) { s.baseClasses = digits(v); },
         [](const S& s) { return distinct(s.baseClasses, false); }},
        {"target_classes", "an array of digits",
         [](const S& s) { return digitArray(s.targetClasses); },
         [](const Json& v, S& s) { s.targetClasses = digits(v); },
         [](const S& s) { return distinct(s.targetClasses, false); }},
        {"train_digits", "an array of digits", [](const S& s) { return digitArray(s.trainDigits); },
         [](const Json& v, S& s) { s.trainDigits = digits(v); },
         [](const S& s) { return distinct(s.trainDigits, true); }},
        {"rank", kWhole, [](const S& s) { return Json(s.rank); },
         [](const Json& v, S& s) { s.rank = wholeInt(v, kWhole); },
         [](const S& s) { return exceptionFree([&] { s.loraSpec().validate(); }); }},
        {"alpha", kPositive, [](const S& s) { return Json(shortestDouble(s.alpha)); },
         [](const Json& v, S& s) { s.alpha = positiveNumber(v); }},
        {"use_rslora", "true or false", [](const S& s) { return Json(s.rslora); },
         [](const Json& v, S& s) {
             if (!v.is_boolean()) throw Refusal{"true or false", &v};
             s.rslora = v.get<bool>();
         }},
        {"target_modules", kLayers, [](const S& s) { return Json(s.targets); },
         [](const Json& v, S& s) {
             if (!v.is_array()) throw Refusal{kLayers, &v};
             std::vector<std::string> names;
             for (const Json& t : v) names.push_back(string(t, kLayers));
             s.targets = std::move(names);
         },
         [](const S& s) {
             return std::all_of(s.targets.begin(), s.targets.end(),
                                [](const std::string& t) { return layerNumber(t) > 0; });
         }},
        {"learning_rate", kPositive,
         [](const S& s) { return Json(shortestDouble(s.learningRate)); },
         [](const Json& v, S& s) { s.learningRate = positiveNumber(v); }},
        {"base_epochs", kWhole, [](const S& s) { return Json(s.baseEpochs); },
         [](const Json& v, S& s) { s.baseEpochs = wholeInt(v, kWhole); }},
        {"fine_tune_epochs", kWhole, [](const S& s) { return Json(s.fineTuneEpochs); },
         [](const Json& v, S& s) { s.fineTuneEpochs = wholeInt(v, kWhole); }},
        {"max_steps", kSteps, [](const S& s) { return Json(s.maxSteps); },
         [](const Json& v, S& s) {
             const long long steps = wholeNumber(v, -1, kSteps);
             if (steps == 0) throw Refusal{kSteps, &v};
             s.maxSteps = static_cast<long>(steps);
         }},
        {"batch_size", kWhole, [](const S& s) { return Json(s.batchSize); },
         [](const Json& v, S& s) { s.batchSize = wholeInt(v, kWhole); }},
        {"seed", "a string", [](const S& s) { return Json(std::to_string(s.seed)); },
         [](const Json& v, S& s) { s.seed = seedFrom(v); }},
    };
    return fields;
}

// The object `text` holds; InputError when it is not one (or too long to be settings).
Json parseObject(const std::string& text, const std::string& what) {
    if (text.size() > kMaxSettingsTextBytes)
        throw InputError(what + " is over " + std::to_string(kMaxSettingsTextBytes >> 10) +
                         " KiB; settings are a few hundred bytes");
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded()) throw InputError(what + " is not valid JSON");
    if (!j.is_object()) throw InputError(what + " must be a JSON object");
    return j;
}

} // namespace

const std::vector<std::string>& settingsKeys() {
    static const std::vector<std::string> keys = [] {
        std::vector<std::string> k;
        for (const Field& f : schema()) k.push_back(f.key);
        return k;
    }();
    return keys;
}

double shortestDouble(float value) {
    if (!std::isfinite(value)) return value;
    char text[32];
    const auto end = std::to_chars(text, text + sizeof text - 1, value).ptr;
    *end = '\0';
    return std::strtod(text, nullptr);
}

std::string settingsToJsonText(const ExperimentSettings& settings) {
    Json j = Json::object();
    for (const Field& f : schema()) j[f.key] = f.write(settings);
    return j.dump();
}

ExperimentSettings settingsFromJsonText(const std::string& text) {
    const Json j = parseObject(text, "settings");
    ExperimentSettings s;
    for (const Field& f : schema()) {
        const auto it = j.find(f.key);
        try {
            if (it == j.end()) throw Refusal{f.expected, nullptr};
            f.read(*it, s);
        } catch (const Refusal& r) {
            throw InputError(std::string("settings.") + f.key + " must be " + r.expected +
                             ", not " + describe(r.value));
        }
    }
    s.validate();
    return s;
}

ExperimentSettings settingsFromJsonTextOr(const std::string& text,
                                          const ExperimentSettings& fallback) {
    Json j;
    try {
        j = parseObject(text, "settings");
    } catch (const InputError&) {
        return fallback;
    }
    ExperimentSettings s = fallback;
    for (const Field& f : schema()) {
        const auto it = j.find(f.key);
        if (it == j.end()) continue;
        ExperimentSettings trial = s;
        try {
            f.read(*it, trial);
            if (f.check(trial)) s = trial;
        } catch (const Refusal&) {
        } catch (const InputError&) {
        }
    }
    try {
        s.validate();
    } catch (const InputError&) {
        return fallback;
    }
    return s;
}

ExperimentSettings readSettingsFile(const std::string& path) {
    // readFileBytes is the one way core reads a file (and where its limits live).
    const std::vector<std::uint8_t> bytes = readFileBytes(path, kMaxSettingsTextBytes);
    const Json j = parseObject(std::string(bytes.begin(), bytes.end()), path);
    const auto settings = j.find("settings");
    try {
        return settingsFromJsonText(settings != j.end() ? settings->dump() : j.dump());
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
}

} // namespace lora
