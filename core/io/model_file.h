#pragma once
// Base models as one safetensors file whose keys match a PyTorch module with attributes
// fc1, fc2, …: "fc1.weight" [out,in], "fc1.bias" [out]. Our own facts live in
// __metadata__ next to "format": "pt".
#include "data/classes.h"
#include "nn/mlp.h"

#include <string>
#include <vector>

namespace lora {

struct ModelInfo {
    std::vector<int> classes; // the digit behind each output, e.g. {3, 4}; empty = 0..n-1
};

struct LoadedModel {
    Mlp model;
    ModelInfo info;
};

void saveModel(const std::string& path, const Mlp& model, const ModelInfo& info);
// InputError on anything inconsistent. With `folder`, the file must lie inside it once
// symlinks are resolved (a session's base).
LoadedModel loadModel(const std::string& path, const std::string& folder = {});

// The "lora_explorer.classes" value of a file: strictly distinct single digits (no "all",
// unlike the user-facing data/classes.h parser); `outputs` is the count they must match.
// `what` prefixes errors.
std::vector<int> parseMetadataClasses(const std::string& text, int outputs,
                                      const std::string& what);

} // namespace lora
