// readLoraFile and moduleSpectrum on small files of every format (tests/support/
// lora_test_files.h): the format told from the keys alone, each module's name, kind, shape,
// rank, alpha and scale as its format defines them (rank_pattern, alpha_pattern, rsLoRA,
// kohya's missing alpha, diffusers' header config), and its singular values equal to an
// independent SVD of the densely formed ΔW to 1e-4 relative. Broken or lying files are refused
// with one line naming the file and the tensor or module.
#include "io/lora_file.h"
#include "linalg/module_spectrum.h"
#include "util/error.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

using namespace lora;
using lora::test::TestLoraFile;

namespace {

// Writes `f` as a PEFT folder (with a config) or a single file; returns the path to read.
std::string writeTest(const QTemporaryDir& dir, const TestLoraFile& f, const std::string& name) {
    if (f.config.empty()) {
        const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
        writeSafetensors(path, f.tensors);
        return path;
    }
    const QString folder = dir.filePath(QString::fromStdString(name));
    QDir().mkpath(folder);
    writeSafetensors((folder + "/adapter_model.safetensors").toStdString(), f.tensors);
    std::ofstream(QString(folder + "/adapter_config.json").toStdString()) << f.config;
    return folder.toStdString();
}

const LoraModule* findModule(const LoraFile& file, const std::string& name) {
    for (const LoraModule& m : file.modules)
        if (m.name == name) return &m;
    return nullptr;
}

// Every module's spectrum against the SVD of its formed ΔW.
void checkSpectra(const LoraFile& file, const TestLoraFile& f) {
    QCOMPARE(file.modules.size(), f.delta.size());
    for (const auto& [name, delta] : f.delta) {
        const LoraModule* m = findModule(file, name);
        QVERIFY2(m, name.c_str());
        const ModuleSpectrum s = moduleSpectrum(*m);
        QVERIFY(s.available);
        const Eigen::VectorXd expected = Eigen::BDCSVD<Eigen::MatrixXd>(delta).singularValues();
        const double top = expected(0);
        for (Eigen::Index i = 0; i < expected.size(); ++i) {
            const double got = i < Eigen::Index(s.singularValues.size()) ? s.singularValues[i] : 0;
            QVERIFY2(std::abs(got - expected(i)) <= 1e-4 * top,
                     qPrintable(QString("%1 σ%2: %3 vs %4")
                                    .arg(QString::fromStdString(name))
                                    .arg(i)
                                    .arg(got)
                                    .arg(expected(i))));
        }
        QVERIFY(std::abs(s.deltaNorm - delta.norm()) <= 1e-4 * delta.norm());
    }
}

} // namespace

class TestLoraFile_ : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void peftFolder_data() {
        QTest::addColumn<bool>("rslora");
        QTest::newRow("α/r") << false;
        QTest::newRow("rsLoRA α/√r") << true;
    }
    void peftFolder() {
        QFETCH(bool, rslora);
        const TestLoraFile f = test::peftFile(rslora);
        const LoraFile file = readLoraFile(writeTest(m_dir, f, rslora ? "peft-rs" : "peft"));
        QCOMPARE(toString(file.format), "peft");
        QCOMPARE(file.baseModel, std::string("tiny-llama"));
        const std::string p = "base_model.model.model.";
        auto scaleOf = [&](const std::string& m) { return findModule(file, p + m)->scale; };
        const double two = rslora ? 2.0 : 4.0, root2 = rslora ? std::sqrt(2.0) : 2.0;
        QCOMPARE(scaleOf("layers.0.self_attn.q_proj"), 8.0 / two);
        QCOMPARE(scaleOf("layers.0.self_attn.v_proj"), 8.0 / root2); // rank_pattern: r 2
        QCOMPARE(scaleOf("layers.1.self_attn.q_proj"), 16.0 / two);  // alpha_pattern: 16
        const LoraModule* embed = findModule(file, p + "embed_tokens");
        QCOMPARE(embed->shape, (std::vector<std::int64_t>{30, 12})); // [vocab, dim]
        QCOMPARE(findModule(file, p + "layers.0.self_attn.v_proj")->rank, 2);
        QCOMPARE(findModule(file, p + "layers.0.self_attn.q_proj")->shape,
                 (std::vector<std::int64_t>{10, 12}));
        checkSpectra(file, f);
    }

    void kohyaFile() {
        const TestLoraFile f = test::kohyaFile();
        const LoraFile file = readLoraFile(writeTest(m_dir, f, "kohya.safetensors"));
        QCOMPARE(toString(file.format), "kohya");
        QCOMPARE(file.baseModel, std::string("sdxl_base_v1-0"));
        const LoraModule* conv = findModule(file, "lora_unet_input_blocks_4_0_in_layers_2");
        QCOMPARE(conv->shape, (std::vector<std::int64_t>{8, 6, 3, 3}));
        QCOMPARE(conv->alpha, 2.0);
        QCOMPARE(conv->scale, 0.5);
        const LoraModule* te1 =
            findModule(file, "lora_te1_text_model_encoder_layers_0_self_attn_q_proj");
        QCOMPARE(te1->alpha, 4.0); // no alpha tensor: alpha = r
        QCOMPARE(te1->scale, 1.0);
        QCOMPARE(conv->params, 4 * 6 * 9 + 8 * 4 + 1);
        checkSpectra(file, f);
    }

    void diffusersFiles() {
        const TestLoraFile f = test::diffusersFile();
        const LoraFile file = readLoraFile(writeTest(m_dir, f, "pytorch_lora_weights.safetensors"));
        QCOMPARE(toString(file.format), "diffusers");
        for (const LoraModule& m : file.modules) QCOMPARE(m.scale, 0.5); // header config α 2, r 4
        checkSpectra(file, f);
        const TestLoraFile legacy = test::legacyDiffusersFile();
        const LoraFile old = readLoraFile(writeTest(m_dir, legacy, "legacy.safetensors"));
        QCOMPARE(toString(old.format), "diffusers");
        QCOMPARE(old.modules.front().name,
                 std::string("unet.down_blocks.0.attentions.0.transformer_blocks.0.attn1."
                             "processor.to_q"));
        checkSpectra(old, legacy);
    }

    void lycorisFile() {
        const TestLoraFile f = test::lycorisFile();
        const LoraFile file = readLoraFile(writeTest(m_dir, f, "lycoris.safetensors"));
        QCOMPARE(toString(file.format), "lycoris");
        const LoraModule* loha = findModule(file, "lora_unet_mid_block_attentions_0_proj_out");
        QCOMPARE(toString(loha->kind), "loha");
        QCOMPARE(loha->shape, (std::vector<std::int64_t>{8, 6}));
        QCOMPARE(loha->scale, 0.5);
        const LoraModule* lokr = findModule(file, "lora_te_text_model_encoder_layers_0_mlp_fc2");
        QCOMPARE(toString(lokr->kind), "lokr");
        QCOMPARE(lokr->shape, (std::vector<std::int64_t>{8, 15}));
        QCOMPARE(lokr->rank, 2);
        checkSpectra(file, f);
    }

    void doraIsNamedWithItsReason() {
        TestLoraFile f = test::peftFile();
        f.tensors.tensors.push_back(
            {"base_model.model.model.layers.0.self_attn.q_proj.lora_magnitude_vector",
             {10},
             std::vector<float>(10, 1.0f)});
        const LoraFile file = readLoraFile(writeTest(m_dir, f, "dora"));
        const LoraModule* m = findModule(file, "base_model.model.model.layers.0.self_attn.q_proj");
        QCOMPARE(toString(m->kind), "dora");
        QVERIFY(m->note.find("needs the base's W") != std::string::npos);
    }

    void energyFigures() {
        ModuleSpectrum s;
        s.singularValues = {3, 1, 0}; // energies 9, 1, 0
        QCOMPARE(s.rankForEnergy(0.9), 1);
        QCOMPARE(s.rankForEnergy(0.99), 2);
        QCOMPARE(s.rankForEnergy(1.0), 2);
    }

    void refusals_data() {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("message");
        QTest::newRow("missing half") << "missing"
                                      << "is missing its up (B) half";
        QTest::newRow("ranks disagree") << "ranks"
                                        << "has ranks that disagree";
        QTest::newRow("alpha NaN") << "nan"
                                   << ".alpha holds NaN or infinite values";
        QTest::newRow("alpha negative") << "negative"
                                        << ".alpha is not one positive number";
        QTest::newRow("unknown suffix") << "suffix"
                                        << "lora_C.weight has no LoRA";
        QTest::newRow("LoHa shapes") << "loha"
                                     << "LoHa halves whose shapes disagree";
        QTest::newRow("LoHa overflow") << "overflow"
                                       << "LoHa halves whose products overflow float32";
        QTest::newRow("config r") << "config"
                                  << "has rank 4 in its tensors but the config gives r 6";
    }
    void refusals() {
        QFETCH(QString, fault);
        QFETCH(QString, message);
        TestLoraFile f = fault == "loha" || fault == "overflow" ? test::lycorisFile()
                         : fault == "config"                    ? test::peftFile()
                                                                : test::kohyaFile();
        auto& tensors = f.tensors.tensors;
        const std::string te1 = "lora_te1_text_model_encoder_layers_0_self_attn_q_proj";
        if (fault == "missing")
            std::erase_if(tensors, [&](auto& t) { return t.name == te1 + ".lora_up.weight"; });
        if (fault == "ranks")
            for (auto& t : tensors)
                if (t.name == te1 + ".lora_up.weight")
                    t = {t.name, {16, 3}, std::vector<float>(48, 1)};
        if (fault == "nan") tensors.push_back(test::scalar(te1 + ".alpha", NAN));
        if (fault == "negative") tensors.push_back(test::scalar(te1 + ".alpha", -1));
        if (fault == "suffix") tensors.push_back({"x.lora_C.weight", {1, 1}, {1}});
        if (fault == "loha")
            for (auto& t : tensors)
                if (t.name.ends_with(".hada_w2_b")) t = {t.name, {2, 5}, std::vector<float>(10, 1)};
        if (fault == "overflow")
            for (auto& t : tensors)
                if (t.name.ends_with(".hada_w1_a") || t.name.ends_with(".hada_w2_a"))
                    for (float& v : t.data) v *= 1e30f;
        if (fault == "config") f.config.replace(f.config.find("\"r\": 4"), 6, "\"r\": 6");
        const std::string path = writeTest(m_dir, f, "bad-" + fault.toStdString());
        try {
            (void)readLoraFile(path);
            QFAIL("a broken file was read");
        } catch (const InputError& e) {
            const QString text = e.what();
            QVERIFY2(text.contains(message), e.what());
            QVERIFY2(text.contains("bad-" + fault), e.what()); // names the file
            QVERIFY(!text.contains('\n'));
        }
    }
};

QTEST_APPLESS_MAIN(TestLoraFile_)
#include "tst_lora_file.moc"
