#include "io/lora_convert.h"

#include "io/atomic_file.h"
#include "io/lora_convert_config.h"
#include "io/lora_names.h"
#include "util/error.h"

#include <set>

namespace lora {

namespace {

bool isEmbedding(const LoraModule& m) {
    return m.downKey.ends_with(".lora_embedding_A");
}

// kohya and LyCORIS spell names alike: into kohya they carry over as they are, so they need no
// dotted path (which only known module names have).
bool keepsNames(LoraFormat from, LoraFormat to) {
    return to == LoraFormat::Kohya && (from == LoraFormat::Kohya || from == LoraFormat::Lycoris);
}

class Builder {
public:
    Builder(const LoraFile& file, const LoraSource& source, const ConvertOptions& options,
            const std::string& what)
        : m_file(file), m_source(source), m_options(options), m_what(what),
          m_fanInFanOut(sourceFanInFanOut(source)) {}

    LoraOutput build() {
        m_output.format = m_options.to;
        std::vector<ModulePath> paths;
        for (const LoraModule& m : m_file.modules) paths.push_back(pathOf(m));
        for (const ModulePath& p : paths) m_sdxl |= p.component == "text_encoder_2";
        checkEveryTensorIsCarried();
        for (std::size_t i = 0; i < m_file.modules.size(); ++i) add(m_file.modules[i], paths[i]);
        finish();
        return std::move(m_output);
    }

private:
    [[noreturn]] void refuse(const LoraModule& m, const std::string& why) const {
        throw InputError(m_what + ": module " + m.name + " cannot be written as " +
                         toString(m_options.to) + ": " + why);
    }

    ModulePath pathOf(const LoraModule& m) const {
        if (m.kind != ModuleKind::Lora)
            refuse(m, std::string("it is a ") + toString(m.kind) +
                          " module, and only LoRA modules (a down and an up factor) convert");
        if (isEmbedding(m) && m_options.to != LoraFormat::Peft)
            refuse(m, "an embedding's LoRA (lora_embedding_A/B) has no such form there");
        if (m_fanInFanOut && m_options.to == LoraFormat::Kohya)
            refuse(m, "it is a GPT-2 Conv1D module (fan_in_fan_out), which kohya cannot express");
        if (keepsNames(m_file.format, m_options.to)) return {};
        std::string fault;
        ModulePath p = modulePathOf(m.name, m_file.format, fault);
        if (!fault.empty()) refuse(m, fault);
        return p;
    }

    // A tensor that is neither a factor nor an alpha would be dropped: refused by name.
    void checkEveryTensorIsCarried() const {
        std::set<std::string> carried;
        for (const LoraModule& m : m_file.modules)
            for (const std::string* key : {&m.downKey, &m.upKey, &m.alphaKey})
                if (!key->empty()) carried.insert(*key);
        for (const NamedTensor& t : m_source.tensors.tensors)
            if (!carried.count(t.name))
                throw InputError(m_what + ": tensor " + t.name + " cannot be written as " +
                                 toString(m_options.to) + ": only LoRA factors and alphas convert");
    }

    TensorDType dtypeOf(const std::string& key) const {
        if (m_options.dtype) return *m_options.dtype;
        const NamedTensor* t = m_source.tensors.find(key);
        return t ? t->dtype : TensorDType::F32;
    }

    void push(const std::string& name, std::vector<std::int64_t> shape, const Matrix& m,
              TensorDType dtype) {
        m_output.tensors.tensors.push_back(
            {name, std::move(shape), std::vector<float>(m.data(), m.data() + m.size()), dtype});
    }

    void add(const LoraModule& m, const ModulePath& path) {
        std::string name = m.name, fault;
        if (!keepsNames(m_file.format, m_options.to))
            name = moduleNameIn(path, m_options.to, m_sdxl, fault);
        if (!fault.empty()) refuse(m, fault);
        const int rank = static_cast<int>(m.down.rows());
        // down [r, in(, kh, kw)], up [out, r(, 1, 1)]: the source's layout, at the new rank.
        std::vector<std::int64_t> downShape = m.downShape, upShape = m.upShape;
        downShape[0] = rank;
        upShape[1] = rank;
        const bool kohya = m_options.to == LoraFormat::Kohya;
        const bool embedding = isEmbedding(m);
        push(name + (kohya       ? ".lora_down.weight"
                     : embedding ? ".lora_embedding_A"
                                 : ".lora_A.weight"),
             downShape, m.down, dtypeOf(m.downKey));
        push(name + (kohya       ? ".lora_up.weight"
                     : embedding ? ".lora_embedding_B"
                                 : ".lora_B.weight"),
             upShape, m.up, dtypeOf(m.upKey));
        const double alpha = m.scale * rank;
        if (kohya) m_output.tensors.tensors.push_back({name + ".alpha", {}, {float(alpha)}});
        const std::string key = m_options.to == LoraFormat::Peft
                                    ? name.substr(std::string("base_model.model.").size())
                                    : name;
        m_scales.push_back({key, rank, alpha});
        m_output.modules.push_back({m.name, name, rank});
    }

    void finish() {
        auto& metadata = m_output.tensors.metadata;
        switch (m_options.to) {
        case LoraFormat::Peft:
            metadata = {{"format", "pt"}};
            m_output.config = peftConfigText(m_source, m_file, m_scales, m_fanInFanOut);
            break;
        case LoraFormat::Diffusers:
            if (m_file.format == LoraFormat::Diffusers) metadata = m_source.tensors.metadata;
            metadata["format"] = "pt";
            metadata["lora_adapter_metadata"] =
                diffusersHeaderConfig(m_source, m_file, m_scales, m_fanInFanOut);
            break;
        case LoraFormat::Kohya:
        case LoraFormat::Lycoris:
            if (keepsNames(m_file.format, LoraFormat::Kohya)) metadata = m_source.tensors.metadata;
            setKohyaMetadata(metadata, m_scales);
            break;
        }
    }

    const LoraFile& m_file;
    const LoraSource& m_source;
    const ConvertOptions& m_options;
    const std::string& m_what;
    const bool m_fanInFanOut;
    bool m_sdxl = false;
    std::vector<ModuleScale> m_scales;
    LoraOutput m_output;
};

} // namespace

LoraOutput buildLoraOutput(const LoraFile& file, const LoraSource& source,
                           const ConvertOptions& options, const std::string& what) {
    return Builder(file, source, options, what).build();
}

std::uint64_t writeLoraOutput(const std::string& out, const LoraOutput& output) {
    const std::vector<std::uint8_t> bytes = encodeSafetensors(output.tensors);
    if (output.format != LoraFormat::Peft) {
        writeFileAtomic(out, bytes);
        return bytes.size();
    }
    writeDirectoryAtomic(out,
                         {{"adapter_model.safetensors", bytes},
                          {"adapter_config.json",
                           std::vector<std::uint8_t>(output.config.begin(), output.config.end())}});
    return bytes.size() + output.config.size();
}

LoraFormat convertTargetFrom(const std::string& name) {
    for (LoraFormat f : {LoraFormat::Peft, LoraFormat::Kohya, LoraFormat::Diffusers})
        if (name == toString(f)) return f;
    throw InputError("--to must be peft, kohya or diffusers (got '" + name + "')");
}

FileConvert convertLoraFile(const std::string& path, const std::string& out,
                            const ConvertOptions& options) {
    LoraSource source;
    const LoraFile file = readLoraFile(path, &source);
    const LoraOutput output = buildLoraOutput(file, source, options, path);
    FileConvert result;
    result.from = file.format;
    result.to = output.format;
    result.modules = output.modules;
    result.bytesBefore = file.bytes;
    result.bytesAfter = writeLoraOutput(out, output);
    return result;
}

} // namespace lora
