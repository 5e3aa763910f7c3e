#pragma once
// Matrices a person hands to `lora-cli rank/svd`: text as numpy.savetxt writes it (one row
// per line, values separated by commas, semicolons or whitespace, '#' comments), or one 2-D
// tensor of a .safetensors file.
#include "nn/tensor.h"

#include <string>

namespace lora {

inline constexpr long kMaxMatrixElements = 1L << 26; // 64 Mi floats = 256 MiB

// text -> [rows, cols]; InputError "<what>: line N: …" for ragged rows, bad or non-finite
// numbers, no values at all, or more than kMaxMatrixElements entries.
Matrix parseMatrixText(const std::string& text, const std::string& what);

// A .safetensors path gives its tensor `tensorName`, or its only 2-D tensor when the name is
// empty; any other path is read as text. InputError names the path and the problem.
Matrix readMatrixFile(const std::string& path, const std::string& tensorName = "");

} // namespace lora
