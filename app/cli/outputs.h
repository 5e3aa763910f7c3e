#pragma once
// The one check every lora-cli command that writes goes through, before it does any work:
// its outputs (--out, --logits) must be something a write may replace (io/output_guard.h)
// and must not be one of its inputs (every flag that names a FILE, DIR or PARENT).
#include "cli/args.h"

#include <string>
#include <vector>

namespace lora::cli {

// `argv` as Args parsed it (the command's words removed), `accepted` the command's flags.
// Throws InputError naming the output flag and the problem.
void checkOutputs(const std::vector<std::string>& argv, const std::vector<Flag>& accepted);

} // namespace lora::cli
