// lora-cli convert through the real binary: the JSON contract (format, to, per module name /
// new_name / rank, bytes), a kohya SDXL file as a PEFT folder and a diffusers file as kohya that
// lora-cli inspect reads back with the same ΔW norms and spectra, --dtype, and the refusals —
// one exact line, exit 2, nothing written.
#include "cli_runner.h"
#include "lora_test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

namespace {

// inspect's modules of `a` and `b` hold the same ΔW: norms and spectra to 1e-6 relative.
bool sameDeltas(const QJsonArray& a, const QJsonArray& b) {
    if (a.size() != b.size()) return false;
    for (int i = 0; i < a.size(); ++i) {
        const double x = a[i]["delta_norm"].toDouble(), y = b[i]["delta_norm"].toDouble();
        if (std::abs(x - y) > 1e-6 * y) return false;
        const QJsonArray sa = a[i]["singular_values"].toArray();
        const QJsonArray sb = b[i]["singular_values"].toArray();
        if (sa.size() != sb.size()) return false;
        for (int k = 0; k < sa.size(); ++k)
            if (std::abs(sa[k].toDouble() - sb[k].toDouble()) > 1e-6 * y) return false;
    }
    return true;
}

} // namespace

class TestCliConvert : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_kohya, m_diffusers, m_lycoris, m_peftLlm, m_oddKohya;

    QString write(const QString& name, const lora::test::TestLoraFile& f) {
        return QString::fromStdString(
            lora::test::writeLoraTestFile(m_dir.filePath(name).toStdString(), f));
    }

private slots:
    void initTestCase() {
        m_kohya = write("kohya.safetensors", lora::test::kohyaFile());
        m_diffusers = write("pytorch_lora_weights.safetensors", lora::test::diffusersFile());
        m_lycoris = write("lycoris.safetensors", lora::test::lycorisFile());
        m_peftLlm = write("peft-llm", lora::test::peftFile());
        lora::test::TestLoraFile odd = lora::test::kohyaFile();
        for (lora::NamedTensor& t : odd.tensors.tensors)
            if (t.name.starts_with("lora_unet_")) t.name.replace(10, 5, "zigzag");
        m_oddKohya = write("odd.safetensors", odd);
    }

    void kohyaToPeftContract() {
        const QString out = m_dir.filePath("as-peft");
        const lora::test::CliRun run = runCli({"convert", m_kohya, "--to", "peft", "--out", out});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["command"].toString(), QString("convert"));
        QCOMPARE(run.json["format"].toString(), QString("kohya"));
        QCOMPARE(run.json["to"].toString(), QString("peft"));
        const QJsonArray modules = run.json["modules"].toArray();
        QCOMPARE(modules.size(), 3);
        QCOMPARE(modules[0]["name"].toString(), QString("lora_unet_input_blocks_4_0_in_layers_2"));
        QCOMPARE(modules[0]["new_name"].toString(),
                 QString("base_model.model.unet.input_blocks.4.0.in_layers.2"));
        QCOMPARE(modules[2]["new_name"].toString(),
                 QString("base_model.model.text_encoder_2.text_model.encoder.layers.0.mlp.fc1"));
        QCOMPARE(modules[2]["rank"].toInt(), 2);
        QCOMPARE(run.json["bytes_before"].toInteger(), QFileInfo(m_kohya).size());
        QCOMPARE(run.json["bytes_after"].toInteger(),
                 QFileInfo(out + "/adapter_model.safetensors").size() +
                     QFileInfo(out + "/adapter_config.json").size());
        const lora::test::CliRun check = runCli({"inspect", out});
        QCOMPARE(check.exitCode, 0);
        QCOMPARE(check.json["format"].toString(), QString("peft"));
        QVERIFY(sameDeltas(check.json["modules"].toArray(),
                           runCli({"inspect", m_kohya}).json["modules"].toArray()));
    }

    void diffusersToKohyaInHalf() {
        const QString out = m_dir.filePath("as-kohya.safetensors");
        const lora::test::CliRun run = runCli(
            {"convert", "--path", m_diffusers, "--to", "kohya", "--out", out, "--dtype", "f16"});
        QCOMPARE(run.exitCode, 0);
        const lora::test::CliRun check = runCli({"inspect", out});
        QCOMPARE(check.json["format"].toString(), QString("kohya"));
        QCOMPARE(check.json["metadata"]["ss_network_dim"].toString(), QString("4"));
        QCOMPARE(check.json["modules"][1]["name"].toString(),
                 QString("lora_te_text_model_encoder_layers_0_self_attn_k_proj"));
        QCOMPARE(check.json["modules"][0]["scale"].toDouble(), 0.5);
        // Half precision: the factors are rounded, so the norms agree to F16's 1e-3.
        const double before =
            runCli({"inspect", m_diffusers}).json["modules"][0]["delta_norm"].toDouble();
        QVERIFY(std::abs(check.json["modules"][0]["delta_norm"].toDouble() - before) <
                2e-3 * before);
    }

    void refusals_data() {
        QTest::addColumn<QString>("input"); // kohya | lycoris | odd | peft-llm
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("line"); // IN and OUT stand for the paths
        QTest::newRow("loha into kohya")
            << "lycoris" << QStringList{"--to", "kohya"}
            << "lora-cli: IN: module lora_unet_mid_block_attentions_0_proj_out cannot be written "
               "as kohya: it is a loha module, and only LoRA modules (a down and an up factor) "
               "convert";
        QTest::newRow("llm into kohya")
            << "peft-llm" << QStringList{"--to", "kohya"}
            << "lora-cli: IN: module base_model.model.model.embed_tokens "
               "cannot be written as kohya: an embedding's LoRA (lora_embedding_A/B) has no such "
               "form there";
        QTest::newRow("unmappable kohya name")
            << "odd" << QStringList{"--to", "diffusers"}
            << "lora-cli: IN: module lora_unet_zigzag_blocks_4_0_in_layers_2 cannot be written as "
               "diffusers: 'zigzag' in its kohya name is not a Stable Diffusion, SDXL or CLIP "
               "module name";
        QTest::newRow("unknown target")
            << "kohya" << QStringList{"--to", "lycoris"}
            << "lora-cli: --to must be peft, kohya or diffusers (got 'lycoris')";
        QTest::newRow("no target") << "kohya" << QStringList{} << "lora-cli: --to is required";
        QTest::newRow("bad dtype") << "kohya" << QStringList{"--to", "peft", "--dtype", "f8"}
                                   << "lora-cli: --dtype must be keep, f32, f16 or bf16 (got 'f8')";
    }
    void refusals() {
        QFETCH(QString, input);
        QFETCH(QStringList, args);
        QFETCH(QString, line);
        const QString in = input == "kohya"     ? m_kohya
                           : input == "lycoris" ? m_lycoris
                           : input == "odd"     ? m_oddKohya
                                                : m_peftLlm;
        const QString out = m_dir.filePath("refused-" + QString(QTest::currentDataTag()));
        const lora::test::CliRun run = runCli(QStringList{"convert", in, "--out", out} + args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed(), QString(line).replace("IN", in).replace("OUT", out));
        QVERIFY(!QFileInfo::exists(out));
    }

    void foreignFolderIsNotReplaced() {
        const QString out = m_dir.filePath("photos");
        QDir().mkpath(out);
        QFile keep(out + "/holiday.jpg");
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("not an adapter");
        keep.close();
        const lora::test::CliRun run = runCli({"convert", m_kohya, "--to", "peft", "--out", out});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed(),
                 "lora-cli: --out: cannot write " + out +
                     ": it is a folder LoRA Explorer did not write (no adapter_config.json); "
                     "choose a new or empty folder");
        QCOMPARE(QDir(out).entryList(QDir::Files), QStringList{"holiday.jpg"});
    }

    void outputIsNotTheInput() {
        const lora::test::CliRun run =
            runCli({"convert", m_kohya, "--to", "kohya", "--out", m_kohya});
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(run.stdErr.contains("--out"));
    }
};

QTEST_GUILESS_MAIN(TestCliConvert)
#include "tst_cli_convert.moc"
