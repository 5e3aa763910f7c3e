// lora-cli merge-into through the real binary: the JSON contract (per module name, tensor,
// shard, max_abs_delta; totals tensors_merged / tensors_copied / files_copied / bytes /
// seconds), a merged Llama-shaped sharded folder whose changed weight is W + ΔW and whose other
// files are byte-identical, a single file that our safetensors reader takes back, --scale 0
// giving back the base's bytes, and the refusals — exit 2, one line, nothing written, the base
// untouched.
#include "io/checkpoint_reader.h"
#include "io/float16.h"
#include "io/safetensors.h"

#include "cli_runner.h"
#include "lora_test_files.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <filesystem>

using lora::test::runCli;
namespace fs = std::filesystem;

namespace {

QByteArray bytesOf(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// Every file of a folder with its bytes.
std::map<QString, QByteArray> snapshot(const QString& dir) {
    std::map<QString, QByteArray> files;
    for (const QString& name : QDir(dir).entryList(QDir::Files))
        files[name] = bytesOf(dir + "/" + name);
    return files;
}

} // namespace

class TestCliMergeInto : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_llama, m_peft;

private slots:
    void initTestCase() {
        m_llama = m_dir.filePath("llama");
        lora::test::writeShardedCheckpoint(m_llama.toStdString(), lora::test::llamaShards());
        m_peft = m_dir.filePath("peft");
        lora::test::writeLoraTestFile(m_peft.toStdString(), lora::test::peftFile());
    }

    void shardedFolder() {
        const QString out = m_dir.filePath("merged");
        const auto before = snapshot(m_llama);
        const lora::test::CliRun run =
            runCli({"merge-into", "--base", m_llama, "--adapter", m_peft, "--out", out});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["command"].toString(), QString("merge-into"));
        QCOMPARE(run.json["tensors_merged"].toInt(), 4);
        QCOMPARE(run.json["tensors_copied"].toInt(), 4);
        QCOMPARE(run.json["files_copied"].toInt(), 2);
        QVERIFY(run.json["seconds"].toDouble() >= 0);
        qint64 bytes = 0;
        for (const QString& name : QDir(out).entryList(QDir::Files))
            bytes += QFileInfo(out + "/" + name).size();
        QCOMPARE(run.json["bytes"].toInteger(), bytes);
        const QJsonArray modules = run.json["modules"].toArray();
        QCOMPARE(modules.size(), 4);
        const QJsonObject q0 = modules[0].toObject();
        QCOMPARE(q0["name"].toString(),
                 QString("base_model.model.model.layers.0.self_attn.q_proj"));
        QCOMPARE(q0["tensor"].toString(), QString("model.layers.0.self_attn.q_proj.weight"));
        QCOMPARE(q0["shard"].toString(), QString("model-00001-of-00002.safetensors"));

        // The merged q_proj is W + s·B·A to F16's rounding, its max |ΔW| as reported.
        const lora::test::TestLoraFile adapter = lora::test::peftFile();
        const lora::test::Dense& d = adapter.delta.at(q0["name"].toString().toStdString());
        QVERIFY(std::abs(q0["max_abs_delta"].toDouble() - d.cwiseAbs().maxCoeff()) <
                1e-5 * d.cwiseAbs().maxCoeff());
        const lora::CheckpointReader merged(
            (out + "/model-00001-of-00002.safetensors").toStdString());
        const lora::CheckpointTensor* t = merged.find("model.layers.0.self_attn.q_proj.weight");
        QVERIFY(t && t->dtype == "F16");
        std::vector<std::uint8_t> raw(t->bytes());
        merged.readAt(raw.data(), merged.dataStart() + t->begin, raw.size());
        const std::vector<double> w = lora::test::llamaShards()[0][1].values;
        for (std::size_t i = 0; i < w.size(); ++i) {
            const double got = lora::halfToFloat(std::uint16_t(raw[2 * i] | raw[2 * i + 1] << 8));
            const double want = w[i] + d(Eigen::Index(i / 12), Eigen::Index(i % 12));
            QVERIFY2(std::abs(got - want) <= std::ldexp(1.0, -10) * std::abs(want) + 1e-6,
                     qPrintable(QString("%1: %2 vs %3").arg(i).arg(got).arg(want)));
        }
        for (const char* same : {"model.safetensors.index.json", "config.json", "tokenizer.json"})
            QCOMPARE(bytesOf(out + "/" + same), bytesOf(m_llama + "/" + same));
        QVERIFY(snapshot(m_llama) == before);
    }

    void scaleZeroGivesTheBase() {
        const QString out = m_dir.filePath("unchanged");
        const lora::test::CliRun run = runCli(
            {"merge-into", "--base", m_llama, "--adapter", m_peft, "--out", out, "--scale", "0"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(snapshot(out) == snapshot(m_llama));
    }

    void singleFile() {
        lora::Rng rng(40);
        const std::vector<lora::test::CheckpointTestTensor> tensors = {
            lora::test::checkpointTensor(rng, "h.0.attn.c_attn.weight", "BF16", {8, 24}),
            lora::test::checkpointTensor(rng, "h.0.attn.c_proj.weight", "F32", {8, 8}),
            lora::test::checkpointTensor(rng, "ln_f.weight", "F32", {8})};
        const QString base = m_dir.filePath("gpt2.safetensors");
        const QString out = m_dir.filePath("gpt2-merged.safetensors");
        lora::test::writeBytes(base.toStdString(), lora::test::checkpointBytes(tensors));
        const QString adapter = m_dir.filePath("gpt2-peft");
        lora::test::writeLoraTestFile(adapter.toStdString(), lora::test::gpt2File());
        const lora::test::CliRun run =
            runCli({"merge-into", "--base", base, "--adapter", adapter, "--out", out});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["tensors_merged"].toInt(), 2);
        QCOMPARE(run.json["files_copied"].toInt(), 0);
        QCOMPARE(run.json["bytes"].toInteger(), QFileInfo(base).size());
        const lora::SafetensorsFile merged = lora::readSafetensors(out.toStdString());
        QCOMPARE(merged.tensors.size(), std::size_t(3));
        QCOMPARE(merged.find("ln_f.weight")->data[3], float(tensors[2].values[3]));
        QCOMPARE(merged.find("h.0.attn.c_attn.weight")->dtype, lora::TensorDType::BF16);
    }

    void refusals_data() {
        QTest::addColumn<QString>("fault");
        QTest::addColumn<QString>("says");
        QTest::newRow("shape mismatch") << "shape"
                                        << "differs from the module's [10,12]";
        QTest::newRow("module without a weight") << "missing"
                                                 << "has no weight";
        QTest::newRow("truncated shard") << "truncated"
                                         << "data is truncated";
        QTest::newRow("index names a missing shard") << "no shard"
                                                     << "which is missing";
        QTest::newRow("foreign output folder") << "foreign"
                                               << "did not write";
        QTest::newRow("output is the base") << "self"
                                            << "--out: cannot write";
        QTest::newRow("no adapter") << "no adapter"
                                    << "--adapter";
    }
    void refusals() {
        QFETCH(QString, fault);
        QFETCH(QString, says);
        const QString base = m_dir.filePath("base-" + fault);
        QString out = m_dir.filePath("out-" + fault);
        auto shards = lora::test::llamaShards();
        if (fault == "shape") shards[0][1].shape = {10, 13}, shards[0][1].values.resize(130);
        if (fault == "missing") shards[1].erase(shards[1].begin());
        lora::test::writeShardedCheckpoint(base.toStdString(), shards);
        const std::string second = base.toStdString() + "/model-00002-of-00002.safetensors";
        if (fault == "truncated") fs::resize_file(second, fs::file_size(second) - 3);
        if (fault == "no shard") fs::remove(second);
        if (fault == "foreign") {
            QDir().mkpath(out);
            QFile f(out + "/notes.txt");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("mine");
        }
        if (fault == "self") out = base;
        const auto before = snapshot(base);
        const auto outBefore = snapshot(out);
        QStringList args = {"merge-into", "--base", base, "--out", out};
        if (fault != "no adapter") args << "--adapter" << m_peft;
        const lora::test::CliRun run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(says), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(snapshot(base) == before);
        if (fault == "foreign" || fault == "self")
            QVERIFY(snapshot(out) == outBefore);
        else
            QVERIFY(!QFileInfo::exists(out));
    }

    void listedInHelp() {
        QProcess help;
        help.start(QStringLiteral(LORA_CLI_PATH), {"help", "merge-into"});
        QVERIFY(help.waitForFinished());
        const QString text = QString::fromUtf8(help.readAllStandardOutput());
        QVERIFY2(text.contains("--base MODEL") && text.contains("--scale"), qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestCliMergeInto)
#include "tst_cli_merge_into.moc"
