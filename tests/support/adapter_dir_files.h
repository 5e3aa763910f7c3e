#pragma once
// Adapter directories written by hand for tst_adapter_dir and tst_adapter_dir_rejects: tensors
// from a compact shape spec, any config text, and a valid rank-2 adapter of a 10-6-4-3 base.
#include "io/safetensors.h"
#include "nn/mlp.h"
#include "util/rng.h"

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace lora::test {

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// "fc1.lora_A.weight:2x10,..." -> tensors with those shapes and distinct values.
inline std::vector<NamedTensor> tensors(const QString& spec) {
    std::vector<NamedTensor> out;
    float next = 0.125f;
    for (const QString& item : spec.split(',', Qt::SkipEmptyParts)) {
        const QStringList parts = item.split(':');
        NamedTensor t{parts[0].toStdString(), {}, {}};
        std::size_t numel = 1;
        for (const QString& d : parts[1].split('x', Qt::SkipEmptyParts)) {
            t.shape.push_back(d.toLongLong());
            numel *= std::size_t(d.toLongLong());
        }
        for (std::size_t i = 0; i < numel; ++i, next += 0.25f) t.data.push_back(next);
        out.push_back(std::move(t));
    }
    return out;
}

// Writes an adapter directory by hand; "<none>" leaves the file out.
inline void writeDir(const std::string& dir, const QString& config, const QString& tensorSpec,
                     const std::map<std::string, std::string>& meta = {}) {
    std::filesystem::create_directories(dir);
    if (config != "<none>") std::ofstream(dir + "/adapter_config.json") << config.toStdString();
    if (tensorSpec != "<none>") {
        SafetensorsFile f;
        f.metadata = meta;
        f.tensors = tensors(tensorSpec);
        writeSafetensors(dir + "/adapter_model.safetensors", f);
    }
}

inline const QString kConfig =
    R"({"peft_type": "LORA", "r": 2, "lora_alpha": 4, "unknown_field": [1]})";
// A valid rank-2 adapter on fc1 and fc3 of the 10-6-4-3 base.
inline const QString kGood = "fc1.lora_A.weight:2x10,fc1.lora_B.weight:6x2,"
                             "fc3.lora_A.weight:2x4,fc3.lora_B.weight:3x2";

// The scratch folder and the 10-6-4-3 base (Rng 11) both tests write adapters for; a test
// class derives from it after QObject.
class AdapterScratch {
protected:
    QTemporaryDir m_tmp;
    Mlp m_base{"10-6-4-3"};

    AdapterScratch() {
        Rng rng(11);
        m_base.initDefault(rng);
    }
    std::string path(const std::string& name) const {
        return m_tmp.path().toStdString() + "/" + name;
    }
    void emptyScratch() const {
        for (const auto& e : std::filesystem::directory_iterator(m_tmp.path().toStdString()))
            std::filesystem::remove_all(e.path());
    }
};

} // namespace lora::test
