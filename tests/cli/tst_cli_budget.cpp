// The model budget end to end: sizes far beyond the tutorials, files that would be written
// unreadable, and results that overflow float all end as exit code 2 with one line naming
// the problem, and nothing is written.
#include "cli_runner.h"
#include "io/adapter_dir.h"
#include "io/atomic_file.h"
#include "io/model_file.h"
#include "io/safetensors.h"
#include "io/settings_json.h"
#include "util/rng.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <sys/resource.h>

using lora::test::runCli;

namespace {

std::string deepArchitecture(int layers) {
    std::string arch = "784";
    for (int i = 1; i < layers; ++i) arch += "-1";
    return arch + "-2";
}

} // namespace

class TestCliBudget : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    // Exit 2, exactly one "lora-cli:" line (progress lines may precede it) containing
    // `message`, and `out` never created.
    void expectRefusal(const QStringList& args, const QString& message, const QString& out) {
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        const QStringList refusals =
            run.stdErr.split('\n').filter(QRegularExpression("^lora-cli: "));
        QCOMPARE(refusals.size(), 1);
        if (!refusals.front().contains(message)) QCOMPARE(refusals.front(), message);
        QVERIFY(refusals.front().size() <= 300 + 10);
        QVERIFY(out.isEmpty() || !QFileInfo::exists(out));
    }

    QString saveBase(const QString& name, const std::string& arch, float fill = 0.0f) {
        lora::Mlp model(arch);
        lora::Rng rng(3);
        model.initDefault(rng);
        if (fill != 0.0f) model.layer(0).W.setConstant(fill);
        const QString path = m_dir.filePath(name);
        lora::saveModel(path.toStdString(), model, {{3, 4}});
        return path;
    }

    // An adapter on fc1 of `base` with every B entry `b` (and A entries `a` unless 0).
    QString saveAdapter(const QString& name, const QString& base, int rank, float b,
                        float a = 0.0f) {
        lora::LoadedModel loaded = lora::loadModel(base.toStdString());
        lora::Rng rng(5);
        loaded.model.attachLora({{rank, static_cast<float>(rank)}, {"fc1"}}, rng);
        loaded.model.adapter(0)->B.setConstant(b);
        if (a != 0.0f) loaded.model.adapter(0)->A.setConstant(a);
        const QString dir = m_dir.filePath(name);
        lora::saveAdapter(dir.toStdString(), loaded.model, {{3, 4}});
        return dir;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void trainOverBudget_data() {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("batch");
        QTest::addColumn<QString>("message");
        QTest::addRow("65536-wide") << "784-65536-65536-2"
                                    << "64"
                                    << "architecture 784-65536-65536-2 has 4,346,609,666 "
                                       "parameters; the limit is 33,554,432";
        QTest::addRow("10000 layers")
            << QString::fromStdString(deepArchitecture(10000)) << "64"
            << "architecture has more than 1000 layers (fc1…fc1000 is the limit)";
        QTest::addRow("batch") << "784-1000-2000-2"
                               << "1000000"
                               << "batch 1,000,000 on 784-1000-2000-2 needs over 33,554,432 "
                                  "activations";
    }
    void trainOverBudget() {
        QFETCH(QString, arch);
        QFETCH(QString, batch);
        QFETCH(QString, message);
        const QString out = m_dir.filePath("never.safetensors");
        expectRefusal({"train", "--arch", arch, "--classes", "3,4", "--batch", batch, "--out", out},
                      message, out);
    }

    // A settings file's rank 2^32 + 4 once became rank 4.
    void settingsNumbersNeverWrap() {
        std::string text = lora::settingsToJsonText(lora::ExperimentSettings{});
        const std::size_t at = text.find("\"rank\":") + 7;
        text.replace(at, text.find(',', at) - at, "4294967300");
        const QString settings = m_dir.filePath("wrap.json");
        lora::writeFileAtomic(settings.toStdString(), text);
        const QString out = m_dir.filePath("never.safetensors");
        expectRefusal({"train", "--settings", settings, "--out", out},
                      "settings.rank must be a whole number ≥ 1", out);
    }

    void svdAndRankRefuseLargeMatrices_data() {
        QTest::addColumn<QString>("command");
        QTest::addRow("svd") << "svd";
        QTest::addRow("rank") << "rank";
    }
    void svdAndRankRefuseLargeMatrices() {
        QFETCH(QString, command);
        const QString path = m_dir.filePath("big.safetensors");
        if (!QFileInfo::exists(path)) {
            lora::SafetensorsFile file;
            file.tensors.push_back({"w", {1700, 1700}, std::vector<float>(1700 * 1700, 1.0f)});
            lora::writeSafetensors(path.toStdString(), file);
        }
        QStringList args{command, "--matrix", path};
        if (command == "svd")
            args << "--rank"
                 << "1";
        // Refused from the file's header, before its data is read.
        expectRefusal(args, path + " is 1700×1700; an SVD here takes at most", {});
    }

    void benchRefusesWhatItCannotTimeBriefly_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("sgemm 8192") << QStringList{"bench", "--mode", "sgemm", "--size", "8192"}
                                    << "--size must be between 1 and 4096 (got 8192)";
        QTest::addRow("batch 65536")
            << QStringList{"bench", "--arch", "784-1000-2000-10", "--batch", "65536"}
            << "batch 65,536 on 784-1000-2000-10 needs over 33,554,432 activations";
        QTest::addRow("eval samples")
            << QStringList{"bench", "--mode", "eval", "--samples", "1000000"}
            << "1000000 samples of 784 inputs exceed the budget of 33554432 values; use fewer";
    }
    void benchRefusesWhatItCannotTimeBriefly() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        expectRefusal(args, message, {});
    }

    void combineCatOverTheRankLimit() {
        const QString base = saveBase("small.safetensors", "4-4-2");
        const QString a = saveAdapter("r3000a", base, 3000, 0.01f);
        const QString b = saveAdapter("r3000b", base, 3000, 0.01f);
        const QString out = m_dir.filePath("cat-out");
        expectRefusal({"adapters", "combine", "--base", base, "--adapters", a + "," + b, "--method",
                       "cat", "--out", out},
                      "cat on fc1 gives rank 6,000, over the limit of 4,096", out);
    }

    void combineWeightsThatOverflow() {
        const QString base = saveBase("combine.safetensors", "784-16-2");
        const QString a = saveAdapter("huge-a", base, 2, 100.0f);
        const QString b = saveAdapter("huge-b", base, 2, 100.0f);
        const QString out = m_dir.filePath("huge-out");
        expectRefusal({"adapters", "combine", "--base", base, "--adapters", a + "," + b, "--method",
                       "cat", "--weights", "1e38,1e38", "--out", out},
                      "the combined adapter's fc1 B is not finite", out);
    }

    void evalOfHugeWeights() {
        const QString base = saveBase("huge.safetensors", "784-2", 3e38f);
        const QString logits = m_dir.filePath("logits.csv");
        expectRefusal({"eval", "--base", base, "--logits", logits},
                      "the model's loss is not finite", logits);
    }

    // A size within the budget on a machine with less memory: std::bad_alloc is a refusal
    // like any other (exit 2, one line), not "internal error" with exit 1. The address space
    // is capped at 300 MB; 784-4096-4096-10 with Adam needs about 330 MB.
    void outOfMemoryIsARefusal() {
#ifdef LORA_SANITIZED
        QSKIP("sanitizers reserve far more address space than the cap");
#else
        QProcess process;
        process.setChildProcessModifier([] {
            const rlimit cap{300L << 20, 300L << 20};
            setrlimit(RLIMIT_AS, &cap);
        });
        process.start(QStringLiteral(LORA_CLI_PATH),
                      {"bench", "--arch", "784-4096-4096-10", "--seconds", "0.1"});
        QVERIFY(process.waitForFinished(120000));
        QCOMPARE(process.exitCode(), 2);
        QCOMPARE(QString::fromUtf8(process.readAllStandardError()),
                 "lora-cli: out of memory while running bench (the input is too large for the "
                 "memory available)\n");
        QVERIFY(process.readAllStandardOutput().isEmpty());
#endif
    }

    void mergeThatOverflows() {
        const QString base = saveBase("merge.safetensors", "784-2");
        const QString adapter = saveAdapter("overflow", base, 2, 1e30f, 1e30f);
        const QString out = m_dir.filePath("merged.safetensors");
        expectRefusal({"adapters", "merge", "--base", base, "--adapter", adapter, "--out", out},
                      "makes fc1.weight overflow to Inf; refusing to merge", out);
    }
};

QTEST_GUILESS_MAIN(TestCliBudget)
#include "tst_cli_budget.moc"
