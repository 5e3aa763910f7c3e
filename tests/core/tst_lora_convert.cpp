// Converting real LoRA files between PEFT, kohya and diffusers: for every pair of formats
// (the same one too) and every source — a kohya SDXL file with a 3×3 conv and te1 / te2, a PEFT
// pipeline folder with rsLoRA, patterns and a conv, a diffusers file with its header config, a
// legacy diffusers file — each module's ΔW formed densely in double from the written file
// matches the generator's own ΔW to 1e-6 relative; converting back gives the source's names
// and bit-identical factors; the kohya ↔ dotted name table; and the refusals, one line each
// with nothing written.
#include "io/lora_convert.h"
#include "io/lora_names.h"

#include "error_of.h"
#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>
#include <functional>

using namespace lora;
using lora::test::Dense;
using lora::test::errorOf;
using lora::test::TestLoraFile;

Q_DECLARE_METATYPE(lora::LoraFormat)

namespace {

using Maker = std::function<TestLoraFile()>;

Dense deltaOf(const LoraModule& m) {
    return m.scale * m.up.cast<double>() * m.down.cast<double>();
}

double relativeGap(const Dense& a, const Dense& b) {
    return (a - b).norm() / b.norm();
}

std::string path(const QTemporaryDir& dir, const std::string& name) {
    return dir.filePath(QString::fromStdString(name)).toStdString();
}

} // namespace

class TestLoraConvert : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_count = 0;

    std::string source(const TestLoraFile& f) {
        return lora::test::writeLoraTestFile(path(m_dir, "src" + std::to_string(++m_count)), f);
    }

private slots:
    void everyPairKeepsEveryDelta_data() {
        QTest::addColumn<Maker>("make");
        QTest::addColumn<LoraFormat>("to");
        const std::pair<const char*, Maker> sources[] = {
            {"kohya sdxl", [] { return lora::test::kohyaFile(); }},
            {"peft pipeline", [] { return lora::test::peftPipelineFile(); }},
            {"diffusers", [] { return lora::test::diffusersFile(); }},
            {"legacy diffusers", [] { return lora::test::legacyDiffusersFile(); }},
        };
        for (const auto& [name, make] : sources)
            for (LoraFormat to : {LoraFormat::Peft, LoraFormat::Kohya, LoraFormat::Diffusers})
                QTest::newRow((std::string(name) + " -> " + toString(to)).c_str()) << make << to;
    }
    void everyPairKeepsEveryDelta() {
        QFETCH(Maker, make);
        QFETCH(LoraFormat, to);
        const TestLoraFile f = make();
        const std::string in = source(f);
        const std::string out = path(m_dir, "out" + std::to_string(++m_count));
        const FileConvert result = convertLoraFile(in, out, {to, std::nullopt});
        QCOMPARE(result.to, to);
        const LoraFile before = readLoraFile(in);
        const LoraFile after = readLoraFile(out);
        QCOMPARE(after.format, to);
        QCOMPARE(after.modules.size(), before.modules.size());
        for (std::size_t i = 0; i < before.modules.size(); ++i) {
            const LoraModule& a = before.modules[i];
            const LoraModule& b = after.modules[i];
            QCOMPARE(b.name, result.modules[i].to);
            QCOMPARE(b.rank, a.rank);
            QCOMPARE(b.downShape, a.downShape); // conv kept as [r, in, kh, kw]
            QVERIFY2(relativeGap(deltaOf(b), f.delta.at(a.name)) < 1e-6, a.name.c_str());
        }
        // Back to the source's format: the same names and bit-identical factors.
        const std::string back = path(m_dir, "back" + std::to_string(++m_count));
        convertLoraFile(out, back, {before.format, std::nullopt});
        const LoraFile again = readLoraFile(back);
        for (std::size_t i = 0; i < before.modules.size(); ++i) {
            const LoraModule& a = before.modules[i];
            const LoraModule& c = again.modules[i];
            if (a.name.find(".processor.") == std::string::npos) QCOMPARE(c.name, a.name);
            QVERIFY(c.up == a.up && c.down == a.down);
            QVERIFY(std::abs(c.scale - a.scale) <= 1e-6 * a.scale);
        }
    }

    void namesOfTheKohyaTable_data() {
        QTest::addColumn<QString>("kohya");
        QTest::addColumn<QString>("peft");
        QTest::newRow("sdxl conv") << "lora_unet_input_blocks_4_0_in_layers_2"
                                   << "base_model.model.unet.input_blocks.4.0.in_layers.2";
        QTest::newRow("te1") << "lora_te1_text_model_encoder_layers_0_self_attn_q_proj"
                             << "base_model.model.text_encoder.text_model.encoder.layers.0."
                                "self_attn.q_proj";
        QTest::newRow("te2 mlp") << "lora_te2_text_model_encoder_layers_11_mlp_fc2"
                                 << "base_model.model.text_encoder_2.text_model.encoder.layers.11."
                                    "mlp.fc2";
        QTest::newRow("sd1 attention")
            << "lora_unet_down_blocks_1_attentions_0_transformer_blocks_0_attn2_to_out_0"
            << "base_model.model.unet.down_blocks.1.attentions.0.transformer_blocks.0.attn2."
               "to_out.0";
        QTest::newRow("resnet") << "lora_unet_up_blocks_2_resnets_1_conv_shortcut"
                                << "base_model.model.unet.up_blocks.2.resnets.1.conv_shortcut";
        QTest::newRow("geglu")
            << "lora_unet_mid_block_attentions_0_transformer_blocks_0_ff_net_0_proj"
            << "base_model.model.unet.mid_block.attentions.0."
               "transformer_blocks.0.ff.net.0.proj";
        QTest::newRow("time") << "lora_unet_down_blocks_0_resnets_0_time_emb_proj"
                              << "base_model.model.unet.down_blocks.0.resnets.0.time_emb_proj";
    }
    void namesOfTheKohyaTable() {
        QFETCH(QString, kohya);
        QFETCH(QString, peft);
        std::string fault;
        const ModulePath p = modulePathOf(kohya.toStdString(), LoraFormat::Kohya, fault);
        QCOMPARE(QString::fromStdString(fault), QString());
        QCOMPARE(QString::fromStdString(moduleNameIn(p, LoraFormat::Peft, true, fault)), peft);
        const ModulePath back = modulePathOf(peft.toStdString(), LoraFormat::Peft, fault);
        QCOMPARE(QString::fromStdString(moduleNameIn(back, LoraFormat::Kohya, true, fault)), kohya);
    }

    void refusals_data() {
        QTest::addColumn<Maker>("make");
        QTest::addColumn<LoraFormat>("to");
        QTest::addColumn<QString>("says"); // after "<path>: "
        QTest::newRow("loha into kohya")
            << Maker([] { return lora::test::lycorisFile(); }) << LoraFormat::Kohya
            << "module lora_unet_mid_block_attentions_0_proj_out cannot be written as kohya: it is "
               "a loha module, and only LoRA modules (a down and an up factor) convert";
        QTest::newRow("unmappable kohya name")
            << Maker([] {
                   TestLoraFile f = lora::test::kohyaFile();
                   for (NamedTensor& t : f.tensors.tensors)
                       if (t.name.starts_with("lora_te2_"))
                           t.name.replace(0, 9, "lora_te2_wobble_");
                   return f;
               })
            << LoraFormat::Diffusers
            << "module lora_te2_wobble_text_model_encoder_layers_0_mlp_fc1 cannot be written as "
               "diffusers: 'wobble' in its kohya name is not a Stable Diffusion, SDXL or CLIP "
               "module name";
        QTest::newRow("embedding into diffusers")
            << Maker([] { return lora::test::peftFile(); }) << LoraFormat::Diffusers
            << "module base_model.model.model.embed_tokens cannot be written as diffusers: an "
               "embedding's LoRA (lora_embedding_A/B) has no such form there";
        QTest::newRow("llm into kohya")
            << Maker([] {
                   TestLoraFile f = lora::test::peftFile();
                   f.tensors.tensors.resize(6); // without the embedding
                   return f;
               })
            << LoraFormat::Kohya
            << "module base_model.model.model.layers.0.self_attn.q_proj cannot be written as "
               "kohya: kohya names only unet, text_encoder and text_encoder_2 modules";
        QTest::newRow("conv1d into kohya")
            << Maker([] {
                   TestLoraFile f = lora::test::peftPipelineFile();
                   f.config.insert(1, R"("fan_in_fan_out": true, )");
                   return f;
               })
            << LoraFormat::Kohya
            << "module base_model.model.unet.down_blocks.0.resnets.0.conv1 cannot be written as "
               "kohya: it is a GPT-2 Conv1D module (fan_in_fan_out), which kohya cannot express";
        QTest::newRow("lora_B.bias")
            << Maker([] {
                   TestLoraFile f = lora::test::diffusersFile();
                   f.tensors.tensors.push_back(
                       {"unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.bias",
                        {20},
                        std::vector<float>(20, 0.5f)});
                   return f;
               })
            << LoraFormat::Kohya
            << "tensor unet.mid_block.attentions.0.transformer_blocks.0.attn1.to_q.lora_B.bias "
               "cannot be written as kohya: only LoRA factors and alphas convert";
    }
    void refusals() {
        QFETCH(Maker, make);
        QFETCH(LoraFormat, to);
        QFETCH(QString, says);
        const std::string in = source(make());
        const std::string out = path(m_dir, "refused" + std::to_string(++m_count));
        const std::string error = errorOf([&] { convertLoraFile(in, out, {to, std::nullopt}); });
        QCOMPARE(QString::fromStdString(error), QString::fromStdString(in) + ": " + says);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(out)));
    }

    // F16 factors stay F16 (keep): the same bits, so the same ΔW; the alpha is always F32.
    void halfPrecisionIsKept() {
        TestLoraFile f = lora::test::kohyaFile();
        for (NamedTensor& t : f.tensors.tensors)
            if (!t.name.ends_with(".alpha")) t.dtype = TensorDType::F16;
        const std::string in = source(f);
        const std::string out = path(m_dir, "half-peft");
        convertLoraFile(in, out, {LoraFormat::Peft, std::nullopt});
        const SafetensorsFile written = readSafetensors(out + "/adapter_model.safetensors");
        for (const NamedTensor& t : written.tensors) QCOMPARE(t.dtype, TensorDType::F16);
        const LoraFile before = readLoraFile(in), after = readLoraFile(out);
        for (std::size_t i = 0; i < before.modules.size(); ++i) {
            QVERIFY(after.modules[i].up == before.modules[i].up);
            QVERIFY(after.modules[i].down == before.modules[i].down);
            QVERIFY(relativeGap(deltaOf(after.modules[i]), deltaOf(before.modules[i])) < 1e-12);
        }
    }

    void dtypeIsChosen() {
        const std::string in = source(lora::test::kohyaFile());
        const std::string out = path(m_dir, "bf16.safetensors");
        convertLoraFile(in, out, {LoraFormat::Diffusers, TensorDType::BF16});
        const SafetensorsFile written = readSafetensors(out);
        for (const NamedTensor& t : written.tensors) QCOMPARE(t.dtype, TensorDType::BF16);
        const LoraFile file = readLoraFile(out);
        const LoraFile before = readLoraFile(in);
        for (std::size_t i = 0; i < file.modules.size(); ++i)
            QVERIFY(relativeGap(deltaOf(file.modules[i]), deltaOf(before.modules[i])) < 1e-2);
    }
};

QTEST_GUILESS_MAIN(TestLoraConvert)
#include "tst_lora_convert.moc"
