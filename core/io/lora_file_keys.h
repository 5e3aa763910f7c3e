#pragma once
// The tensor names of real LoRA files taken apart: which module a tensor belongs to and which
// part of it the tensor is, from the key's suffix alone. One table for every format, so a
// suffix no format writes is refused by name instead of being skipped.
#include <string>

namespace lora {

enum class KeyPart {
    Down,          // LoRA A / lora_down / legacy .down
    Up,            // LoRA B / lora_up / legacy .up
    EmbeddingDown, // PEFT lora_embedding_A [r, vocab]
    EmbeddingUp,   // PEFT lora_embedding_B [dim, r]
    UpBias,        // PEFT lora_B.bias (lora_bias): counted, not part of ΔW
    Alpha,         // kohya / LyCORIS scalar
    Magnitude,     // DoRA: PEFT lora_magnitude_vector, kohya dora_scale
    HadaW1A,
    HadaW1B,
    HadaW2A,
    HadaW2B,
    HadaTucker, // hada_t1 / hada_t2: refused (Tucker LoHa)
    LokrW1,
    LokrW1A,
    LokrW1B,
    LokrW2,
    LokrW2A,
    LokrW2B,
    LokrTucker, // lokr_t2: refused
    Diff,       // LyCORIS full: ΔW stored whole
    DiffBias,   // LyCORIS full: the bias change
    None,       // no adapter suffix
};

// Which key family a part belongs to, for telling formats apart.
enum class KeyFamily { PeftStyle, Kohya, DiffusersLegacy, Lycoris, Shared, None };

struct SplitKey {
    std::string module; // the key without the suffix
    KeyPart part = KeyPart::None;
    KeyFamily family = KeyFamily::None;
};

SplitKey splitKey(const std::string& key);
// "lora_down.weight": how a message names the part.
const char* partName(KeyPart part);

} // namespace lora
