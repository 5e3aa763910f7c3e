// libFuzzer target: any bytes into the safetensors reader. It must either return a file
// that obeys the format's rules or throw InputError; anything else is a bug.
#include "io/safetensors.h"
#include "util/error.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        const lora::SafetensorsFile file = lora::decodeSafetensors(bytes, "fuzz");
        // What was accepted must survive a round trip unchanged.
        const lora::SafetensorsFile again =
            lora::decodeSafetensors(lora::encodeSafetensors(file), "again");
        if (again.tensors.size() != file.tensors.size()) std::abort();
        for (std::size_t i = 0; i < file.tensors.size(); ++i)
            if (again.tensors[i].shape != file.tensors[i].shape ||
                again.tensors[i].data.size() != file.tensors[i].data.size())
                std::abort();
    } catch (const lora::InputError&) {
    }
    return 0;
}
