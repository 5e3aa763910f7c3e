// libFuzzer target: any bytes as a real LoRA file (inspect's path): the safetensors decoder,
// then the format detection, module building and spectra of core/io/lora_file. It must
// either describe every module with finite figures or throw InputError with one printable
// line within the message limit; anything else is a bug.
#include "io/lora_file.h"
#include "linalg/module_spectrum.h"
#include "util/error.h"

#include <cmath>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::vector<std::uint8_t> bytes(data, data + size);
    try {
        const lora::SafetensorsFile tensors = lora::decodeSafetensors(bytes, "fuzz");
        const lora::LoraFile file = lora::decodeLoraFile(tensors, nullptr, "fuzz");
        for (const lora::LoraModule& m : file.modules) {
            const lora::ModuleSpectrum s = lora::moduleSpectrum(m);
            if (s.available && !std::isfinite(s.deltaNorm)) std::abort();
            if (s.rankForEnergy(0.9) > static_cast<int>(s.singularValues.size())) std::abort();
        }
    } catch (const lora::InputError& e) {
        const std::string what = e.what();
        if (what.find('\n') != std::string::npos) std::abort();
    }
    return 0;
}
