#pragma once
// One exception type for bad input anywhere in the core. Its message is a single
// line naming the problem; the CLI prints it and exits with code 2, the GUI shows it.
#include <stdexcept>
#include <string>

namespace lora {

class InputError : public std::runtime_error {
public:
    explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

} // namespace lora
