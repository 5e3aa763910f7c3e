// mergeIntoCheckpoint against W + ΔW formed densely in double precision: a Llama-shaped sharded
// folder (BF16, F16, F32 and I64 tensors, PEFT adapter with an embedding), GPT-2's Conv1D with
// fan_in_fan_out, a kohya LoCon into an original-layout SD UNet file, LyCORIS LoHa/LoKr, a
// diffusers folder with the legacy processor names. Every merged value must equal the reference
// to the dtype's rounding, every other byte (headers, untouched tensors, index, config files)
// must be identical, and each refusal must name its fault with nothing written and the base
// left as it was.
#include "io/checkpoint_reader.h"
#include "io/float16.h"
#include "io/safetensors.h"
#include "linalg/checkpoint_merge.h"
#include "util/error.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>

using namespace lora;
using namespace lora::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::uint8_t> bytesOf(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every file under `dir` (or the file) with its bytes, to show a base was left as it was.
std::map<std::string, std::vector<std::uint8_t>> snapshot(const std::string& path) {
    std::map<std::string, std::vector<std::uint8_t>> files;
    if (!fs::is_directory(path)) return {{path, bytesOf(path)}};
    for (const auto& e : fs::directory_iterator(path)) files[e.path()] = bytesOf(e.path());
    return files;
}

std::vector<double> storedValues(const CheckpointReader& r, const CheckpointTensor& t) {
    std::vector<std::uint8_t> raw(t.bytes());
    r.readAt(raw.data(), r.dataStart() + t.begin, raw.size());
    std::vector<double> out;
    for (std::size_t i = 0; i < raw.size(); i += checkpointDTypeSize(t.dtype)) {
        const std::uint16_t h = std::uint16_t(raw[i] | raw[i + 1] << 8);
        if (t.dtype == "F16") out.push_back(halfToFloat(h));
        if (t.dtype == "BF16") out.push_back(bf16ToFloat(h));
        if (t.dtype == "F32") {
            float f;
            std::memcpy(&f, &raw[i], 4);
            out.push_back(f);
        }
    }
    return out;
}

// One unit in the last place of the dtype, relative: rounding the float32 sum may land one
// step from rounding the exact one.
double ulp(const std::string& dtype) {
    return dtype == "F16" ? std::ldexp(1.0, -10) : dtype == "BF16" ? std::ldexp(1.0, -7) : 1e-6;
}

// `merged` against `base` (written from `tensors`): W + ΔW where `delta` names the tensor (its
// change as [rows, cols] of the stored layout), the same bytes everywhere else.
void checkMerged(const std::string& merged, const std::string& base,
                 const std::vector<CheckpointTestTensor>& tensors,
                 const std::map<std::string, Dense>& delta) {
    const CheckpointReader out(merged), in(base);
    const std::vector<std::uint8_t> outBytes = bytesOf(merged), inBytes = bytesOf(base);
    QCOMPARE(outBytes.size(), inBytes.size());
    QVERIFY(out.headerBytes() == in.headerBytes());
    for (const CheckpointTestTensor& t : tensors) {
        const CheckpointTensor* o = out.find(t.name);
        QVERIFY(o);
        const auto it = delta.find(t.name);
        if (it == delta.end()) {
            QVERIFY2(std::equal(outBytes.begin() + std::ptrdiff_t(out.dataStart() + o->begin),
                                outBytes.begin() + std::ptrdiff_t(out.dataStart() + o->end),
                                inBytes.begin() + std::ptrdiff_t(out.dataStart() + o->begin)),
                     t.name.c_str());
            continue;
        }
        const Dense& d = it->second;
        QCOMPARE(std::size_t(d.size()), t.values.size());
        const std::vector<double> got = storedValues(out, *o);
        for (std::size_t i = 0; i < got.size(); ++i) {
            const double want =
                t.values[i] + d(Eigen::Index(i) / d.cols(), Eigen::Index(i) % d.cols());
            if (std::abs(got[i] - want) > ulp(t.dtype) * std::abs(want) + 1e-6)
                QFAIL(qPrintable(QString("%1[%2]: %3, expected %4")
                                     .arg(t.name.c_str())
                                     .arg(i)
                                     .arg(got[i])
                                     .arg(want)));
        }
    }
}

} // namespace

class TestCheckpointMerge : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private slots:
    void llamaShardedFolder() {
        const auto shards = llamaShards();
        const std::string base = path("llama"), out = path("llama-merged");
        writeShardedCheckpoint(base, shards);
        const TestLoraFile adapter = peftFile();
        const std::string peft = writeLoraTestFile(path("llama-peft"), adapter);
        const auto before = snapshot(base);

        const CheckpointMerge result = mergeIntoCheckpoint(base, peft, out);
        QCOMPARE(result.modules.size(), std::size_t(4));
        QCOMPARE(result.tensorsMerged, 4);
        QCOMPARE(result.tensorsCopied, 4);
        QCOMPARE(result.filesCopied, 2); // config.json, tokenizer.json
        QVERIFY(result.folder);
        const std::string p = "base_model.model.";
        std::map<std::string, Dense> delta;
        for (const auto& [module, d] : adapter.delta) {
            const std::string tensor = module.substr(p.size()) + ".weight";
            delta[tensor] = tensor.find("embed") != std::string::npos ? Dense(d.transpose()) : d;
        }
        for (const MergedModule& m : result.modules) {
            QCOMPARE(m.tensor, m.module.substr(p.size()) + ".weight");
            QCOMPARE(m.shard, llamaShardName(m.tensor.find("layers.1") != std::string::npos, 2));
            QVERIFY(std::abs(m.maxDelta - delta[m.tensor].cwiseAbs().maxCoeff()) <
                    1e-5 * m.maxDelta);
        }
        std::uint64_t bytes = 0;
        for (std::size_t k = 0; k < shards.size(); ++k) {
            const std::string name = "/" + llamaShardName(k, 2);
            checkMerged(out + name, base + name, shards[k], delta);
            bytes += fs::file_size(out + name);
        }
        for (const char* same : {"model.safetensors.index.json", "config.json", "tokenizer.json"}) {
            QVERIFY(bytesOf(out + "/" + same) == bytesOf(base + "/" + same));
            bytes += fs::file_size(out + "/" + same);
        }
        QCOMPARE(result.bytes, bytes);
        QCOMPARE(std::distance(fs::directory_iterator(out), fs::directory_iterator()), 5);
        QVERIFY(snapshot(base) == before);

        // Merging again replaces the folder it wrote.
        QCOMPARE(mergeIntoCheckpoint(base, peft, out, 0.5).tensorsMerged, 4);
        for (auto& [name, d] : delta) d *= 0.5;
        checkMerged(out + "/" + llamaShardName(0, 2), base + "/" + llamaShardName(0, 2), shards[0],
                    delta);
    }

    void singleFiles_data() {
        QTest::addColumn<QString>("kind");
        QTest::newRow("GPT-2 Conv1D fan_in_fan_out") << "gpt2";
        QTest::newRow("kohya LoCon into an SD UNet") << "kohya";
        QTest::newRow("LyCORIS LoHa and LoKr") << "lycoris";
    }
    void singleFiles() {
        QFETCH(QString, kind);
        Rng rng(30);
        TestLoraFile adapter;
        std::vector<CheckpointTestTensor> tensors;
        std::map<std::string, std::string> tensorOf; // module -> tensor
        if (kind == "gpt2") {
            adapter = gpt2File();
            tensors = {checkpointTensor(rng, "wte.weight", "F32", {50, 8}),
                       checkpointTensor(rng, "h.0.attn.c_attn.weight", "F16", {8, 24}),
                       checkpointTensor(rng, "h.0.attn.c_attn.bias", "F16", {24}),
                       checkpointTensor(rng, "h.0.attn.c_proj.weight", "BF16", {8, 8})};
            for (const char* m : {"c_attn", "c_proj"})
                tensorOf[std::string("base_model.model.transformer.h.0.attn.") + m] =
                    std::string("h.0.attn.") + m + ".weight";
        } else if (kind == "kohya") {
            adapter = kohyaUnetFile();
            const std::string p = "model.diffusion_model.";
            tensors = {
                checkpointTensor(rng, p + "input_blocks.4.0.in_layers.2.weight", "F16",
                                 {8, 6, 3, 3}),
                checkpointTensor(rng, p + "input_blocks.4.0.in_layers.2.bias", "F16", {8}),
                checkpointTensor(rng, p + "middle_block.1.proj_in.weight", "F32", {8, 8, 1, 1}),
                checkpointTensor(rng, p + "middle_block.1.proj_out.weight", "F32", {8, 8})};
            tensorOf["lora_unet_input_blocks_4_0_in_layers_2"] = tensors[0].name;
            tensorOf["lora_unet_middle_block_1_proj_in"] = tensors[2].name;
        } else {
            adapter = lycorisFile();
            tensors = {
                checkpointTensor(rng, "mid_block.attentions.0.proj_out.weight", "BF16", {8, 6}),
                checkpointTensor(rng, "text_model.encoder.layers.0.mlp.fc2.weight", "F32",
                                 {8, 15})};
            tensorOf["lora_unet_mid_block_attentions_0_proj_out"] = tensors[0].name;
            tensorOf["lora_te_text_model_encoder_layers_0_mlp_fc2"] = tensors[1].name;
        }
        const std::string base = path(qPrintable(kind + ".safetensors"));
        const std::string out = path(qPrintable(kind + "-merged.safetensors"));
        writeBytes(base, checkpointBytes(tensors));
        const std::string lora = writeLoraTestFile(
            path(qPrintable(kind + (adapter.config.empty() ? "-lora.safetensors" : "-peft"))),
            adapter);
        const CheckpointMerge result = mergeIntoCheckpoint(base, lora, out);
        QCOMPARE(result.tensorsMerged, int(tensorOf.size()));
        QCOMPARE(result.tensorsCopied, int(tensors.size() - tensorOf.size()));
        QVERIFY(!result.folder);
        std::map<std::string, Dense> delta;
        for (const auto& [module, tensor] : tensorOf) delta[tensor] = adapter.delta.at(module);
        for (const MergedModule& m : result.modules) QCOMPARE(m.tensor, tensorOf.at(m.module));
        checkMerged(out, base, tensors, delta);
        const SafetensorsFile read = readSafetensors(out); // our own reader takes it
        QCOMPARE(read.tensors.size(), tensors.size());
        QCOMPARE(read.metadata.at("format"), std::string("pt"));
    }

    void diffusersFolder() {
        Rng rng(31);
        const std::string base = path("unet"), out = path("unet-merged");
        fs::create_directories(base);
        const std::string to_q =
            "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.weight";
        const std::vector<CheckpointTestTensor> tensors = {
            checkpointTensor(rng, to_q, "F16", {20, 20}),
            checkpointTensor(rng, "conv_in.weight", "F16", {4, 4, 3, 3})};
        writeBytes(base + "/diffusion_pytorch_model.safetensors", checkpointBytes(tensors));
        std::ofstream(base + "/config.json") << R"({"_class_name": "UNet2DConditionModel"})";
        const TestLoraFile adapter = legacyDiffusersFile();
        const std::string lora = writeLoraTestFile(path("legacy.safetensors"), adapter);
        const CheckpointMerge result = mergeIntoCheckpoint(base, lora, out);
        QCOMPARE(result.modules.at(0).tensor, to_q);
        QCOMPARE(result.modules.at(0).shard, std::string("diffusion_pytorch_model.safetensors"));
        checkMerged(out + "/diffusion_pytorch_model.safetensors",
                    base + "/diffusion_pytorch_model.safetensors", tensors,
                    {{to_q, adapter.delta.begin()->second}});
        QVERIFY(bytesOf(out + "/config.json") == bytesOf(base + "/config.json"));
    }

    // A failure half-way through a streamed file (NaN in the second merged weight) keeps the
    // file it would have replaced and leaves no temporary beside it.
    void failedStreamKeepsTheOldFile() {
        Rng rng(32);
        std::vector<CheckpointTestTensor> tensors = {
            checkpointTensor(rng, "h.0.attn.c_attn.weight", "F16", {8, 24}),
            checkpointTensor(rng, "h.0.attn.c_proj.weight", "BF16", {8, 8})};
        tensors[1].values[5] = std::nan("");
        const std::string dir = path("stream"), base = dir + "/base.safetensors";
        const std::string out = dir + "/merged.safetensors";
        fs::create_directories(dir);
        writeBytes(base, checkpointBytes(tensors));
        writeBytes(out, {1, 2, 3});
        const std::string lora = writeLoraTestFile(dir + "/peft", gpt2File());
        try {
            mergeIntoCheckpoint(base, lora, out);
            QFAIL("merged");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("'h.0.attn.c_proj.weight' holds NaN"), e.what());
        }
        QVERIFY(bytesOf(out) == (std::vector<std::uint8_t>{1, 2, 3}));
        QCOMPARE(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 3);
    }

    void refusals_data() {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("says");
        QTest::newRow("shape mismatch") << "shape"
                                        << "whose shape [10,13] differs from the module's [10,12]";
        QTest::newRow("module without a weight")
            << "missing"
            << "has no weight 'model.layers.1.self_attn.q_proj.weight'";
        QTest::newRow("truncated shard") << "truncated"
                                         << "data is truncated";
        QTest::newRow("index names a missing shard") << "no shard"
                                                     << "which is missing";
        QTest::newRow("index disagrees with a shard") << "index"
                                                      << "does not map tensor 'lm_head.weight'";
        QTest::newRow("integer weight") << "integer"
                                        << "which is I64, not floating point";
        QTest::newRow("NaN in a weight") << "nan"
                                         << "holds NaN or infinite values";
        QTest::newRow("DoRA") << "dora"
                              << "is DoRA";
        QTest::newRow("LoRA bias") << "bias"
                                   << "is a LoRA bias (lora_bias)";
        QTest::newRow("foreign output folder") << "foreign"
                                               << "did not write";
        QTest::newRow("output is the base") << "self"
                                            << "would overwrite the input --base";
    }
    void refusals() {
        QFETCH(QString, fault);
        QFETCH(QString, says);
        const std::string tag = fault.toStdString();
        const std::string base = path(("base-" + tag).c_str());
        std::string out = path(("out-" + tag).c_str());
        auto shards = llamaShards();
        const std::string q0 = "model.layers.0.self_attn.q_proj.weight";
        if (fault == "shape") shards[0][1].shape = {10, 13}, shards[0][1].values.resize(130);
        if (fault == "missing") shards[1].erase(shards[1].begin());
        if (fault == "integer") shards[0][1].dtype = "I64";
        if (fault == "nan") shards[0][1].values[7] = std::nan("");
        writeShardedCheckpoint(base, shards);
        const std::string second = base + "/" + llamaShardName(1, 2);
        if (fault == "truncated") fs::resize_file(second, fs::file_size(second) - 3);
        if (fault == "no shard") fs::remove(second);
        if (fault == "index") {
            auto moved = shards;
            moved[0].push_back(moved[1].back()); // lm_head in shard 1, the index says shard 2
            moved[1].pop_back();
            writeBytes(base + "/" + llamaShardName(0, 2), checkpointBytes(moved[0]));
            writeBytes(second, checkpointBytes(moved[1]));
        }
        TestLoraFile adapter = peftFile();
        if (fault == "dora")
            adapter.tensors.tensors.push_back(
                {"base_model.model." + q0.substr(0, q0.size() - 7) + ".lora_magnitude_vector",
                 {10},
                 std::vector<float>(10, 1.0f)});
        if (fault == "bias")
            adapter.tensors.tensors.push_back(
                {"base_model.model." + q0.substr(0, q0.size() - 7) + ".lora_B.bias",
                 {10},
                 std::vector<float>(10, 0.5f)});
        const std::string peft = writeLoraTestFile(path(("peft-" + tag).c_str()), adapter);
        if (fault == "foreign") {
            fs::create_directories(out);
            std::ofstream(out + "/notes.txt") << "mine";
        }
        if (fault == "self") out = base;
        const auto before = snapshot(base);
        const auto outBefore = fs::exists(out) ? snapshot(out) : decltype(before){};
        try {
            mergeIntoCheckpoint(base, peft, out);
            QFAIL("merged");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(says), e.what());
            QVERIFY(!QString(e.what()).contains('\n'));
        }
        QVERIFY(snapshot(base) == before);
        if (fault == "foreign")
            QVERIFY(snapshot(out) == outBefore);
        else if (fault != "self")
            QVERIFY(!fs::exists(out));
        // No temporary is left beside the output either.
        for (const auto& e : fs::directory_iterator(m_dir.path().toStdString()))
            QVERIFY2(e.path().string().find(".lora-tmp-") == std::string::npos, e.path().c_str());
    }
};

QTEST_GUILESS_MAIN(TestCheckpointMerge)
#include "tst_checkpoint_merge.moc"
