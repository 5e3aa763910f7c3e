// libFuzzer target: architecture strings ("784-64-2"). Accepted ones format back to
// themselves and describe a network we are willing to allocate.
#include "nn/architecture.h"
#include "util/error.h"

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        const std::vector<int> widths = lora::parseArchitecture(text);
        if (widths.size() < 2) std::abort();
        for (int w : widths)
            if (w < 1 || w > lora::kMaxLayerWidth) std::abort();
        if (lora::parseArchitecture(lora::formatArchitecture(widths)) != widths) std::abort();
    } catch (const lora::InputError&) {
    }
    return 0;
}
