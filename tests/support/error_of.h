#pragma once
// The message of the InputError a call throws, or "(no error)", so data-driven rows can
// compare exact messages.
#include "util/error.h"

#include <QString>
#include <functional>
#include <string>

namespace lora::test {

inline std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no error)";
}

inline QString qErrorOf(const std::function<void()>& f) {
    return QString::fromStdString(errorOf(f));
}

} // namespace lora::test
