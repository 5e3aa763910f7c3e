#include "io/lora_module.h"

namespace lora {

const char* toString(LoraFormat format) {
    switch (format) {
    case LoraFormat::Peft:
        return "peft";
    case LoraFormat::Kohya:
        return "kohya";
    case LoraFormat::Diffusers:
        return "diffusers";
    case LoraFormat::Lycoris:
        return "lycoris";
    }
    return "peft";
}

const char* toString(ModuleKind kind) {
    switch (kind) {
    case ModuleKind::Lora:
        return "lora";
    case ModuleKind::Loha:
        return "loha";
    case ModuleKind::Lokr:
        return "lokr";
    case ModuleKind::Dora:
        return "dora";
    case ModuleKind::Full:
        return "full";
    }
    return "lora";
}

} // namespace lora
