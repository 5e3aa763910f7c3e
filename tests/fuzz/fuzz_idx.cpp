// libFuzzer target: bytes as an IDX image file and as an IDX label file, gzip-compressed or
// not. Accepted files must have exactly the payload their header announces.
#include "data/idx.h"
#include "util/error.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        const lora::RawImages images = lora::parseIdxImages(bytes, "images");
        if (images.pixels.size() !=
            std::size_t(images.count) * std::size_t(images.rows) * std::size_t(images.cols))
            std::abort();
    } catch (const lora::InputError&) {
    }
    try {
        const std::vector<std::uint8_t> labels = lora::parseIdxLabels(bytes, "labels");
        for (std::uint8_t l : labels)
            if (l > 9) std::abort();
    } catch (const lora::InputError&) {
    }
    return 0;
}
