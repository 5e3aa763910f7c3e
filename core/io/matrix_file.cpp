#include "io/matrix_file.h"

#include "io/input_gate.h"
#include "io/safetensors.h"
#include "nn/model_budget.h"
#include "util/error.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

namespace lora {
namespace {

bool isSeparator(char c) {
    return c == ',' || c == ';' || c == ' ' || c == '\t';
}

// A token as messages quote it: short ones as typed, long ones by length only, so a
// megabyte-long "number" gives a one-line message.
std::string quoted(const std::string& token) {
    if (token.size() <= 32) return "'" + token + "'";
    return "a " + std::to_string(token.size()) + "-byte token";
}

// 10^order bounds the magnitude of a decimal token that overflowed or underflowed a double:
// only its digits and exponent decide which, and only the sign of the order matters.
bool isHuge(const std::string& token) {
    const std::size_t e = token.find_first_of("eE");
    const std::string mantissa = token.substr(0, e);
    long exponent = 0;
    if (e != std::string::npos) {
        const char* first = token.data() + e + 1;
        if (*first == '+') ++first;
        if (std::from_chars(first, token.data() + token.size(), exponent).ec != std::errc())
            exponent = (*first == '-') ? -(1L << 40) : (1L << 40); // beyond any long: saturate
    }
    const std::size_t digit = mantissa.find_first_of("123456789");
    if (digit == std::string::npos) return false; // all zeros
    const std::size_t point = std::min(mantissa.find('.'), mantissa.size());
    const long order =
        digit < point ? static_cast<long>(point - digit) : -static_cast<long>(digit - point - 1);
    return order + exponent > 0;
}

// One token as a float. Locale-independent (the GUI runs under the user's locale); subnormal
// floats are numbers like any other, and values too small even for those round to ±0.
float parseNumber(const std::string& token, const std::string& where) {
    const bool plus = token.starts_with('+'); // from_chars takes '-' only
    const char* first = token.data() + (plus ? 1 : 0);
    const char* last = token.data() + token.size();
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ptr != last || ptr == first || (plus && *first == '-'))
        throw InputError(where + ": " + quoted(token) + " is not a number");
    if (ec == std::errc::result_out_of_range && !isHuge(std::string(first, last)))
        return *first == '-' ? -0.0f : 0.0f;
    const float f = static_cast<float>(v);
    if (ec != std::errc() || !std::isfinite(f))
        throw InputError(where + ": " + quoted(token) + " is not a finite float");
    return f;
}

// One line's values; throws naming the token that is not a finite number.
std::vector<float> parseRow(const std::string& line, const std::string& where) {
    std::vector<float> row;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isSeparator(line[i])) ++i;
        if (i >= line.size()) break;
        std::size_t end = i;
        while (end < line.size() && !isSeparator(line[end])) ++end;
        row.push_back(parseNumber(line.substr(i, end - i), where));
        i = end;
    }
    return row;
}

// A NUL would end a C-string parse early and hide what follows it ("1\0junk" read as 1); no
// control byte belongs in a text matrix, so the first one refuses the file.
void checkNoControlBytes(const std::string& text, const std::string& what) {
    long lineNo = 1;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '\n' || (c == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'))) ++lineNo;
        if (c >= 0x20 && c != 0x7f) continue;
        if (c == '\t' || c == '\n' || c == '\r') continue;
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", c);
        throw InputError(what + ": line " + std::to_string(lineNo) + " holds control byte " + hex +
                         "; not a text matrix");
    }
}

// Which tensor of a safetensors file is the matrix: the one named, or the only 2-D one.
std::size_t chooseTensor(const std::vector<TensorIndex>& index, const std::string& path,
                         const std::string& tensorName) {
    std::size_t chosen = index.size();
    for (std::size_t k = 0; k < index.size(); ++k) {
        if (!tensorName.empty() ? index[k].name != tensorName : index[k].shape.size() != 2)
            continue;
        if (chosen < index.size())
            throw InputError(path + ": several 2-D tensors (" + quotedName(index[chosen].name) +
                             ", " + quotedName(index[k].name) + ", …); name one");
        chosen = k;
    }
    if (chosen == index.size())
        throw InputError(path + (tensorName.empty()
                                     ? std::string(": no 2-D tensor")
                                     : ": no tensor named " + quotedName(tensorName)));
    const TensorIndex& t = index[chosen];
    if (t.shape.size() != 2)
        throw InputError(path + ": tensor " + quotedName(t.name) + " is not 2-D");
    if (t.shape[0] == 0 || t.shape[1] == 0)
        throw InputError(path + ": tensor " + quotedName(t.name) + " is empty");
    return chosen;
}

} // namespace

Matrix parseMatrixText(const std::string& text, const std::string& what) {
    checkNoControlBytes(text, what);
    std::vector<float> values;
    long cols = -1, rows = 0;
    long lineNo = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        // \n, \r\n and a lone \r (old Mac files) all end a line.
        std::size_t nl = text.find_first_of("\r\n", start);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(start, nl - start);
        start = nl + (text.compare(nl, 2, "\r\n") == 0 ? 2 : 1);
        ++lineNo;
        if (const std::size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        const std::string where = what + ": line " + std::to_string(lineNo);
        const std::vector<float> row = parseRow(line, where);
        if (row.empty()) continue;
        if (cols < 0) cols = static_cast<long>(row.size());
        if (static_cast<long>(row.size()) != cols)
            throw InputError(where + " has " + std::to_string(row.size()) +
                             " values but the first row has " + std::to_string(cols));
        if (static_cast<long>(values.size()) + cols > kMaxMatrixElements)
            throw InputError(what + ": more than " + std::to_string(kMaxMatrixElements) +
                             " values");
        values.insert(values.end(), row.begin(), row.end());
        ++rows;
    }
    if (rows == 0) throw InputError(what + ": no numbers found");
    return Eigen::Map<const Matrix>(values.data(), rows, cols);
}

Matrix readMatrixFile(const std::string& path, const std::string& tensorName) {
    const bool safetensors =
        path.size() >= 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0;
    if (!safetensors) {
        if (!tensorName.empty())
            throw InputError(path + ": a tensor name only applies to .safetensors files");
        const std::vector<std::uint8_t> bytes = readFileBytes(path, kMaxMatrixTextBytes);
        return parseMatrixText(std::string(bytes.begin(), bytes.end()), path);
    }
    // The tensor is chosen, and its size checked, from the header: only its data is read.
    const SafetensorsFile file =
        readSafetensors(path, kMaxSafetensorsBytes, {}, [&](const std::vector<TensorIndex>& index) {
            const std::size_t k = chooseTensor(index, path, tensorName);
            checkSvdBudget(index[k].shape[0], index[k].shape[1], path);
            std::vector<bool> wanted(index.size(), false);
            wanted[k] = true;
            return wanted;
        });
    const NamedTensor* chosen = &file.tensors.front();
    for (float v : chosen->data)
        if (!std::isfinite(v))
            throw InputError(path + ": tensor '" + chosen->name + "' has a non-finite value");
    return Eigen::Map<const Matrix>(chosen->data.data(), chosen->shape[0], chosen->shape[1]);
}

} // namespace lora
