// libFuzzer target: a PEFT adapter folder from bytes — adapter_config.json and
// adapter_model.safetensors — against a fixed 10-6-4-3 base. Input layout: a 2-byte
// little-endian config length, the config, then the weights file.
#include "io/adapter_dir.h"
#include "util/error.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const lora::Mlp base("10-6-4-3");
    if (size < 2) return 0;
    const std::size_t configSize = std::min<std::size_t>(data[0] | data[1] << 8, size - 2);
    const std::vector<std::uint8_t> config(data + 2, data + 2 + configSize);
    const std::vector<std::uint8_t> weights(data + 2 + configSize, data + size);
    try {
        lora::checkAdapterConfig(config, "adapter_config.json");
        const lora::ImportedAdapter a = lora::decodeAdapter(config, "adapter_config.json", weights,
                                                            "adapter_model.safetensors", base);
        // What was accepted must attach and run (finite weights may still overflow to Inf in
        // the forward: the format allows any float, as PEFT does).
        lora::Mlp model = base;
        lora::attachAdapter(model, a.weights);
        const lora::Matrix x = lora::Matrix::Ones(2, 10);
        if (model.forward(x).rows() != 2) std::abort();
    } catch (const lora::InputError&) {
    }
    return 0;
}
