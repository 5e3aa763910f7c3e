// The hand-made corpus of broken files in tests/data/broken/ (written by
// scripts/make_broken_safetensors.py): each one fails with its own exact one-line message
// naming the file, and a model that an adapter load fails on stays exactly as it was.
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "util/error.h"
#include "util/rng.h"

#include "error_of.h"
#include <QTemporaryDir>

#include "same_bits.h"

#include <QtTest>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

using namespace lora;
using lora::test::qErrorOf;
using lora::test::sameBits;
namespace fs = std::filesystem;

namespace {

const std::string kBroken = std::string(LORA_TEST_DATA_DIR) + "/broken";

// How a corpus entry is loaded: a bare safetensors file (reader), a base model file
// (loadModel) or an adapter directory (loadAdapter).
enum class Kind { File, Model, Adapter };

// The 784-64-2 bases the adapters are loaded into: plain, and with a LoRA already attached.
std::vector<Mlp> bases() {
    Rng rng(6);
    Mlp plain("784-64-2");
    plain.initDefault(rng);
    Mlp withLora(plain);
    LoraSpec spec;
    spec.rank = 2;
    spec.alpha = 4.0f;
    spec.init = LoraInit::Gaussian; // B ≠ 0, so a replaced adapter would show
    withLora.attachLora(LoraConfig{spec, {"fc1", "fc2"}}, rng);
    return {plain, withLora};
}

// loadAdapter(dir) into each base must fail with exactly `expected` and change nothing.
void checkAdapterFails(const std::string& dir, const QString& expected) {
    for (const Mlp& base : bases()) {
        Mlp model(base);
        QCOMPARE(qErrorOf([&] { loadAdapter(dir, model); }), expected);
        QVERIFY(sameBits(model, base));
        QCOMPARE(model.hasLora(), base.hasLora());
    }
}

} // namespace

class TestBrokenFiles : public QObject {
    Q_OBJECT

private slots:
    void corpus_data() {
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("target");  // relative to tests/data/broken
        QTest::addColumn<QString>("subject"); // the path the message names
        QTest::addColumn<QString>("message"); // after "<subject>: "

        const auto file = [](const char* name, const char* message) {
            const QString path = QString(name) + ".safetensors";
            QTest::newRow(name) << int(Kind::File) << path << path << message;
        };
        file("header_too_large",
             "not a safetensors file (its header length is over the 32 MiB limit)");
        file("truncated_header", "5 bytes is too short for a safetensors file");
        file("header_past_end",
             "not a safetensors file (its header length runs past the end of the 72-byte file)");
        file("header_not_json", "header is not valid JSON (error at byte 25)");
        file("header_not_object", "header does not start with '{' (not a safetensors file)");
        file("overlapping_offsets", "tensor 'b' overlaps tensor 'a'");
        file("gap_between_tensors", "gap of 4 bytes before tensor 'b'");
        file("trailing_bytes", "4 trailing bytes after the last tensor");
        file("wrong_dtype_size", "tensor 'a' has 8 bytes of data but shape [3] of F32 needs 12");
        file("unknown_dtype", "tensor 'a' has dtype 'I64'; only F32, F16 and BF16 are supported");
        file("duplicate_key", "header has duplicate key 'a'");
        file("metadata_not_string", "__metadata__ value for 'epochs' is not a string");

        QTest::newRow("nan_weights") << int(Kind::Model) << "nan_weights.safetensors"
                                     << "nan_weights.safetensors"
                                     << "tensor 'fc1.weight' holds NaN/Inf values";
        QTest::newRow("wrong_shapes") << int(Kind::Adapter) << "adapter_wrong_shape"
                                      << "adapter_wrong_shape/adapter_model.safetensors"
                                      << "fc1.lora_A.weight is [4,100] but fc1 takes 784 inputs";
        QTest::newRow("missing_config") << int(Kind::Adapter) << "adapter_missing_config"
                                        << "adapter_missing_config"
                                        << "adapter_config.json not found";
        QTest::newRow("adapter_nan")
            << int(Kind::Adapter) << "adapter_nan"
            << "adapter_nan/adapter_model.safetensors"
            << "tensor 'base_model.model.fc2.lora_B.weight' holds NaN/Inf values";
    }

    void corpus() {
        QFETCH(int, kind);
        QFETCH(QString, target);
        QFETCH(QString, subject);
        QFETCH(QString, message);
        const std::string path = kBroken + "/" + target.toStdString();
        const QString expected = QString::fromStdString(kBroken) + "/" + subject + ": " + message;
        QVERIFY2(fs::exists(path), path.c_str());

        switch (Kind(kind)) {
        case Kind::File: {
            QCOMPARE(qErrorOf([&] { readSafetensors(path); }), expected);
            // The loaders pass the reader's message through unchanged.
            QCOMPARE(qErrorOf([&] { loadModel(path); }), expected);
            // As an adapter's weights, next to a valid config: same message, model untouched.
            QTemporaryDir tmp;
            QVERIFY(tmp.isValid());
            const std::string dir = tmp.path().toStdString();
            std::ofstream(dir + "/adapter_config.json")
                << R"({"peft_type": "LORA", "r": 4, "lora_alpha": 8})";
            fs::copy_file(path, dir + "/adapter_model.safetensors");
            checkAdapterFails(dir, QString::fromStdString(dir) +
                                       "/adapter_model.safetensors: " + message);
            break;
        }
        case Kind::Model: {
            // The format allows NaN/Inf, so the reader keeps them; the model loader refuses.
            const SafetensorsFile file = readSafetensors(path);
            const NamedTensor* bad = firstNonFinite(file);
            QVERIFY(bad);
            QCOMPARE(QString::fromStdString(bad->name), QString("fc1.weight"));
            QVERIFY(!allFinite(*bad));
            QVERIFY(allFinite(*file.find("fc2.weight")));
            QCOMPARE(qErrorOf([&] { loadModel(path); }), expected);
            break;
        }
        case Kind::Adapter:
            checkAdapterFails(path, expected);
            break;
        }
    }

    // Every file of the corpus has a row above, so a new case cannot go untested.
    void corpusIsCovered() {
        const std::set<std::string> covered = {
            "header_too_large.safetensors",
            "truncated_header.safetensors",
            "header_past_end.safetensors",
            "header_not_json.safetensors",
            "header_not_object.safetensors",
            "overlapping_offsets.safetensors",
            "gap_between_tensors.safetensors",
            "trailing_bytes.safetensors",
            "wrong_dtype_size.safetensors",
            "unknown_dtype.safetensors",
            "duplicate_key.safetensors",
            "metadata_not_string.safetensors",
            "nan_weights.safetensors",
            "adapter_wrong_shape",
            "adapter_missing_config",
            "adapter_nan",
            "README.md",
        };
        std::set<std::string> present;
        for (const auto& e : fs::directory_iterator(kBroken))
            present.insert(e.path().filename().string());
        QCOMPARE(present, covered);
    }

    // A good adapter still loads into the same base, so the failures above are the files'.
    void goodAdapterLoads() {
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const std::string dir = tmp.path().toStdString() + "/good";
        Mlp model = bases()[1];
        saveAdapter(dir, model, {});
        Mlp other = bases()[0];
        loadAdapter(dir, other);
        QVERIFY(sameBits(other, model));
    }

    void finiteHelpers() {
        SafetensorsFile f;
        f.tensors.push_back({"a", {2}, {1.0f, -0.0f}});
        f.tensors.push_back({"empty", {0}, {}});
        QVERIFY(allFinite(f.tensors[0]));
        QVERIFY(allFinite(f.tensors[1]));
        QCOMPARE(firstNonFinite(f), nullptr);
        f.tensors.push_back({"b", {1}, {std::numeric_limits<float>::infinity()}});
        f.tensors.push_back({"c", {1}, {std::numeric_limits<float>::quiet_NaN()}});
        QCOMPARE(firstNonFinite(f), &f.tensors[2]);
        QVERIFY(!allFinite(f.tensors[3]));
    }
};

QTEST_GUILESS_MAIN(TestBrokenFiles)
#include "tst_broken_files.moc"
