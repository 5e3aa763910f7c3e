#include "io/lora_file_keys.h"

#include <array>

namespace lora {

namespace {

struct Suffix {
    const char* text;
    KeyPart part;
    KeyFamily family;
};

// Longest first where one suffix ends another ("_lora.down.weight" before ".down.weight").
constexpr std::array kSuffixes{
    Suffix{".lora_A.weight", KeyPart::Down, KeyFamily::PeftStyle},
    Suffix{".lora_B.weight", KeyPart::Up, KeyFamily::PeftStyle},
    Suffix{".lora_B.bias", KeyPart::UpBias, KeyFamily::PeftStyle},
    Suffix{".lora_embedding_A", KeyPart::EmbeddingDown, KeyFamily::PeftStyle},
    Suffix{".lora_embedding_B", KeyPart::EmbeddingUp, KeyFamily::PeftStyle},
    Suffix{".lora_magnitude_vector.weight", KeyPart::Magnitude, KeyFamily::PeftStyle},
    Suffix{".lora_magnitude_vector", KeyPart::Magnitude, KeyFamily::PeftStyle},
    Suffix{".lora_down.weight", KeyPart::Down, KeyFamily::Kohya},
    Suffix{".lora_up.weight", KeyPart::Up, KeyFamily::Kohya},
    Suffix{".dora_scale", KeyPart::Magnitude, KeyFamily::Kohya},
    Suffix{".alpha", KeyPart::Alpha, KeyFamily::Shared},
    Suffix{"_lora.down.weight", KeyPart::Down, KeyFamily::DiffusersLegacy},
    Suffix{"_lora.up.weight", KeyPart::Up, KeyFamily::DiffusersLegacy},
    Suffix{".lora_linear_layer.down.weight", KeyPart::Down, KeyFamily::DiffusersLegacy},
    Suffix{".lora_linear_layer.up.weight", KeyPart::Up, KeyFamily::DiffusersLegacy},
    Suffix{".lora.down.weight", KeyPart::Down, KeyFamily::DiffusersLegacy},
    Suffix{".lora.up.weight", KeyPart::Up, KeyFamily::DiffusersLegacy},
    Suffix{".hada_w1_a", KeyPart::HadaW1A, KeyFamily::Lycoris},
    Suffix{".hada_w1_b", KeyPart::HadaW1B, KeyFamily::Lycoris},
    Suffix{".hada_w2_a", KeyPart::HadaW2A, KeyFamily::Lycoris},
    Suffix{".hada_w2_b", KeyPart::HadaW2B, KeyFamily::Lycoris},
    Suffix{".hada_t1", KeyPart::HadaTucker, KeyFamily::Lycoris},
    Suffix{".hada_t2", KeyPart::HadaTucker, KeyFamily::Lycoris},
    Suffix{".lokr_w1_a", KeyPart::LokrW1A, KeyFamily::Lycoris},
    Suffix{".lokr_w1_b", KeyPart::LokrW1B, KeyFamily::Lycoris},
    Suffix{".lokr_w2_a", KeyPart::LokrW2A, KeyFamily::Lycoris},
    Suffix{".lokr_w2_b", KeyPart::LokrW2B, KeyFamily::Lycoris},
    Suffix{".lokr_w1", KeyPart::LokrW1, KeyFamily::Lycoris},
    Suffix{".lokr_w2", KeyPart::LokrW2, KeyFamily::Lycoris},
    Suffix{".lokr_t2", KeyPart::LokrTucker, KeyFamily::Lycoris},
    Suffix{".diff_b", KeyPart::DiffBias, KeyFamily::Lycoris},
    Suffix{".diff", KeyPart::Diff, KeyFamily::Lycoris},
};

} // namespace

SplitKey splitKey(const std::string& key) {
    for (const Suffix& s : kSuffixes) {
        const std::string suffix = s.text;
        if (key.size() > suffix.size() && key.ends_with(suffix))
            return {key.substr(0, key.size() - suffix.size()), s.part, s.family};
    }
    return {key, KeyPart::None, KeyFamily::None};
}

const char* partName(KeyPart part) {
    for (const Suffix& s : kSuffixes)
        if (s.part == part) return s.text + 1; // without the leading separator
    return "weight";
}

} // namespace lora
