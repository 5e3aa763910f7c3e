#include "io/matrix_file.h"

#include "io/input_gate.h"
#include "io/safetensors.h"
#include "util/error.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace lora {
namespace {

bool isSeparator(char c) {
    return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r';
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
        const std::string token = line.substr(i, end - i);
        char* stop = nullptr;
        errno = 0;
        const float v = std::strtof(token.c_str(), &stop);
        if (*stop != '\0' || stop == token.c_str())
            throw InputError(where + ": '" + token + "' is not a number");
        if (!std::isfinite(v) || errno == ERANGE)
            throw InputError(where + ": '" + token + "' is not a finite float");
        row.push_back(v);
        i = end;
    }
    return row;
}

} // namespace

Matrix parseMatrixText(const std::string& text, const std::string& what) {
    std::vector<float> values;
    long cols = -1, rows = 0;
    long lineNo = 0;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(start, nl - start);
        start = nl + 1;
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
    const SafetensorsFile file = readSafetensors(path);
    const NamedTensor* chosen = nullptr;
    if (!tensorName.empty()) {
        chosen = file.find(tensorName);
        if (!chosen) throw InputError(path + ": no tensor named '" + tensorName + "'");
    } else {
        for (const NamedTensor& t : file.tensors) {
            if (t.shape.size() != 2) continue;
            if (chosen)
                throw InputError(path + ": several 2-D tensors ('" + chosen->name + "', '" +
                                 t.name + "', …); name one");
            chosen = &t;
        }
        if (!chosen) throw InputError(path + ": no 2-D tensor");
    }
    if (chosen->shape.size() != 2)
        throw InputError(path + ": tensor '" + chosen->name + "' is not 2-D");
    if (chosen->shape[0] == 0 || chosen->shape[1] == 0)
        throw InputError(path + ": tensor '" + chosen->name + "' is empty");
    for (float v : chosen->data)
        if (!std::isfinite(v))
            throw InputError(path + ": tensor '" + chosen->name + "' has a non-finite value");
    return Eigen::Map<const Matrix>(chosen->data.data(), chosen->shape[0], chosen->shape[1]);
}

} // namespace lora
