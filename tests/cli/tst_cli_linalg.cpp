// The linear-algebra sub-commands end to end: rank, svd, approx, params and analyze print
// the seeds' numbers as JSON, and bad input exits with 2 and one line naming the problem.
#include "cli_runner.h"
#include "io/adapter_dir.h"
#include "io/atomic_file.h"
#include "io/model_file.h"
#include "util/rng.h"

#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

class TestCliLinalg : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base, m_adapter4, m_adapter8;

    // A 784-16-2 base and two adapters on fc1 with random (non-zero) B, so ΔW ≠ 0.
    void makeAdapter(const QString& dir, int rank, std::uint64_t seed) {
        lora::LoadedModel loaded = lora::loadModel(m_base.toStdString());
        lora::Rng rng(seed);
        loaded.model.attachLora({{rank, 2.0f}, {"fc1"}}, rng);
        lora::LoraLinear* a = loaded.model.adapter(0);
        for (Eigen::Index i = 0; i < a->B.size(); ++i) a->B.data()[i] = rng.normal();
        lora::saveAdapter(dir.toStdString(), loaded.model, {{3, 4}});
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_base = m_dir.filePath("base.safetensors");
        lora::Mlp model("784-16-2");
        lora::Rng rng(7);
        model.initDefault(rng);
        lora::saveModel(m_base.toStdString(), model, {{3, 4}});
        m_adapter4 = m_dir.filePath("r4");
        m_adapter8 = m_dir.filePath("r8");
        makeAdapter(m_adapter4, 4, 1);
        makeAdapter(m_adapter8, 8, 2);
    }

    void rankExamples_data() {
        QTest::addColumn<QString>("example");
        QTest::addColumn<int>("rank");
        QTest::addRow("[[1,2],[2,4]]") << "rank1" << 1;
        QTest::addRow("[[1,2],[3,4]]") << "rank2" << 2;
        QTest::addRow("zeros(3,3)") << "zeros" << 0;
    }
    void rankExamples() {
        QFETCH(QString, example);
        QFETCH(int, rank);
        const auto run = runCli({"rank", "--example", example});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["rank"].toInt(), rank);
        QVERIFY(run.json.contains("tolerance"));
        QVERIFY(run.json["default_tolerance"].toBool());
    }

    void rankOfTextFile() {
        // Rank 2 by construction: row 3 = row 1 + row 2.
        const QString path = m_dir.filePath("w.csv");
        lora::writeFileAtomic(path.toStdString(), std::string("1,0,2\n0,1,3\n1,1,5\n"));
        const auto run = runCli({"rank", "--matrix", path});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["rank"].toInt(), 2);
        QCOMPARE(run.json["singular_values"].toArray().size(), 3);
        // An explicit tolerance above σ₂ lowers the rank.
        const double s2 = run.json["singular_values"].toArray()[1].toDouble();
        const auto coarse =
            runCli({"rank", "--matrix", path, "--tolerance", QString::number(s2 * 1.01)});
        QCOMPARE(coarse.json["rank"].toInt(), 1);
    }

    void svdOfLayer() {
        const auto run = runCli({"svd", "--base", m_base, "--layer", "fc1", "--rank", "4"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["rows"].toInt(), 16);
        QCOMPARE(run.json["cols"].toInt(), 784);
        QCOMPARE(run.json["max_rank"].toInt(), 16);
        QCOMPARE(run.json["numerical_rank"].toInt(), 16);
        QCOMPARE(run.json["factor_params"].toInt(), 4 * (16 + 784));
        // ‖W − W_4‖_F² is the sum of the squared tail singular values.
        const QJsonArray s = run.json["singular_values"].toArray();
        double tail = 0.0, all = 0.0;
        for (int i = 0; i < s.size(); ++i) {
            all += s[i].toDouble() * s[i].toDouble();
            if (i >= 4) tail += s[i].toDouble() * s[i].toDouble();
        }
        QVERIFY(qAbs(run.json["frobenius_error"].toDouble() - std::sqrt(tail)) < 1e-9);
        QVERIFY(qAbs(run.json["energy"].toDouble() - (1.0 - tail / all)) < 1e-9);
    }

    void svdAllRanks() {
        const auto run = runCli({"svd", "--base", m_base, "--layer", "fc2", "--all-ranks"});
        QCOMPARE(run.exitCode, 0);
        const QJsonArray curve = run.json["curve"].toArray();
        QCOMPARE(curve.size(), 3); // r = 0, 1, 2 for a 2×16 weight
        QCOMPARE(curve[0].toObject()["relative_error"].toDouble(), 1.0);
        QVERIFY(qAbs(curve[2].toObject()["energy"].toDouble() - 1.0) < 1e-12);
        QVERIFY(curve[1].toObject()["frobenius_error"].toDouble() <
                curve[0].toObject()["frobenius_error"].toDouble());
    }

    void svdOfAdapterDelta() {
        const auto run = runCli({"svd", "--base", m_base, "--layer", "fc1", "--adapter", m_adapter4,
                                 "--delta", "--rank", "4"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["numerical_rank"].toInt(), 4); // ΔW = s·BA has rank r
        QVERIFY(run.json["relative_error"].toDouble() < 1e-5);
    }

    void approxSeed002() {
        const auto run = runCli({"approx", "--rows", "8", "--cols", "8", "--rank", "2", "--steps",
                                 "1000", "--seed", "0"});
        QCOMPARE(run.exitCode, 0);
        const double gd = run.json["gd_loss"].toDouble(), svd = run.json["svd_loss"].toDouble();
        QVERIFY2(gd <= svd * 1.01, qPrintable(QString("gd %1 svd %2").arg(gd).arg(svd)));
        QVERIFY(gd >= svd * (1.0 - 1e-5)); // nothing beats Eckart–Young
        QCOMPARE(run.json["curve"].toArray().size(), 1001);
        QCOMPARE(run.json["table"].toArray().size(), 11); // 0, 100, …, 900, 1000
        QCOMPARE(run.json["factor_params"].toInt(), 32);  // seed 002: 2·(8+8)
        QCOMPARE(run.json["full_params"].toInt(), 64);
        QVERIFY(qAbs(run.json["improvement_percent"].toDouble() -
                     run.json["svd_improvement_percent"].toDouble()) < 1.0);
        QVERIFY(run.stdErr.contains("baseline"));
    }

    void paramsPresets_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<qint64>("trainable");
        QTest::addColumn<qint64>("base");
        QTest::addColumn<qint64>("all");
        QTest::addRow("seed000") << QStringList{"--preset", "seed000"} << 3656LL << 50370LL
                                 << 54026LL;
        QTest::addRow("784-64-2 r16")
            << QStringList{"--arch", "784-64-2", "--rank", "16"} << 14624LL << 50370LL << 64994LL;
        QTest::addRow("richboynet")
            << QStringList{"--preset", "richboynet"} << 6794LL << 2807010LL << 2813804LL;
        QTest::addRow("gpt2-small")
            << QStringList{"--preset", "gpt2-small"} << 294912LL << 124439808LL << 124734720LL;
        QTest::addRow("llama2-7b")
            << QStringList{"--preset", "llama2-7b"} << 4194304LL << 6738415616LL << 6742609920LL;
        QTest::addRow("square4096")
            << QStringList{"--preset", "square4096"} << 65536LL << 16777216LL << 16842752LL;
        QTest::addRow("split512x256")
            << QStringList{"--preset", "split512x256"} << 6144LL << 131072LL << 137216LL;
    }
    void paramsPresets() {
        QFETCH(QStringList, args);
        QFETCH(qint64, trainable);
        QFETCH(qint64, base);
        QFETCH(qint64, all);
        const auto run = runCli(QStringList{"params"} + args);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["trainable_params"].toInteger(), trainable);
        QCOMPARE(run.json["base_params"].toInteger(), base);
        QCOMPARE(run.json["all_params"].toInteger(), all);
        QCOMPARE(run.json["memory"].toArray().size(), 7);
    }

    void paramsPeftLine() {
        const auto run = runCli({"params", "--preset", "gpt2-small"});
        QVERIFY(run.stdErr.contains(
            "trainable params: 294,912 || all params: 124,734,720 || trainable%: 0.2364"));
        const auto square = runCli({"params", "--preset", "square4096"});
        QCOMPARE(square.json["reduction"].toDouble(), 256.0);
    }

    void analyze() {
        const auto run = runCli({"analyze", "--base", m_base, "--adapter", m_adapter4, "--compare",
                                 m_adapter8, "--layer", "fc1"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["delta_numerical_rank"].toInt(), 4);
        QCOMPARE(run.json["delta_singular_values"].toArray().size(), 16);
        const QJsonArray grid = run.json["subspace_similarity"].toArray();
        QCOMPARE(grid.size(), 4);
        QCOMPARE(grid[0].toArray().size(), 8);
        for (const auto& row : grid)
            for (const auto& v : row.toArray()) QVERIFY(v.toDouble() >= 0 && v.toDouble() <= 1);
        const QJsonObject amp = run.json["amplification"].toObject();
        QCOMPARE(amp["rank"].toInt(), 4);
        QVERIFY(amp["factor"].toDouble() > 0.0);
        QVERIFY(amp["projection_on_weight"].toDouble() >= amp["projection_on_delta"].toDouble());

        const auto self =
            runCli({"analyze", "--base", m_base, "--adapter", m_adapter4, "--compare", m_adapter4});
        const QJsonArray selfGrid = self.json["subspace_similarity"].toArray();
        for (int i = 0; i < 4; ++i) QVERIFY(qAbs(selfGrid[i].toArray()[i].toDouble() - 1.0) < 1e-5);
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("rank: no matrix")
            << QStringList{"rank"}
            << "give exactly one of --matrix FILE or --example rank1|rank2|zeros";
        QTest::addRow("rank: unknown example")
            << QStringList{"rank", "--example", "rank3"}
            << "unknown example 'rank3' (expected rank1, rank2 or zeros)";
        QTest::addRow("rank: negative tolerance")
            << QStringList{"rank", "--example", "rank1", "--tolerance", "-1"}
            << "--tolerance must be ≥ 0 (got -1)";
        QTest::addRow("svd: rank too big")
            << QStringList{"svd", "--example", "rank2", "--rank", "3"}
            << "--rank must be between 0 and 2 (got 3)";
        QTest::addRow("svd: neither rank nor curve")
            << QStringList{"svd", "--example", "rank2"}
            << "give exactly one of --rank R or --all-ranks";
        QTest::addRow("svd: layer")
            << QStringList{"svd", "--base", "BASE", "--layer", "fc9", "--rank", "1"}
            << "--layer: the base has no layer 'fc9' (it has fc1…fc2)";
        QTest::addRow("svd: delta without adapter")
            << QStringList{"svd", "--base", "BASE", "--layer", "fc1", "--delta", "--rank", "1"}
            << "--delta needs --adapter";
        QTest::addRow("svd: adapter misses layer")
            << QStringList{"svd",       "--base", "BASE",   "--layer", "fc2",
                           "--adapter", "R4",     "--rank", "1"}
            << "--adapter: the adapter does not target layer 'fc2'";
        QTest::addRow("approx: rank above size")
            << QStringList{"approx", "--rows", "4", "--cols", "3", "--rank", "4"}
            << "rank must be in 1..3 for a 4x3 matrix (got 4)";
        QTest::addRow("approx: optimizer") << QStringList{"approx", "--optimizer", "lbfgs"}
                                           << "optimizer must be adam or sgd (got 'lbfgs')";
        QTest::addRow("params: both")
            << QStringList{"params", "--arch", "784-64-2", "--preset", "gpt2-small"}
            << "give exactly one of --arch A or --preset NAME";
        QTest::addRow("params: rank 0")
            << QStringList{"params", "--preset", "seed000", "--rank", "0"}
            << "--rank must be between 1 and 4096 (got 0)";
        QTest::addRow("params: empty target")
            << QStringList{"params", "--preset", "seed000", "--targets", "fc1,"}
            << "--targets: empty item in 'fc1,'";
    }
    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        args.replaceInStrings("BASE", m_base);
        args.replaceInStrings(QRegularExpression("^R4$"), m_adapter4);
        const auto run = runCli(args);
        QCOMPARE(run.exitCode, 2);
        QCOMPARE(run.stdErr.trimmed(), "lora-cli: " + message);
    }
};

QTEST_APPLESS_MAIN(TestCliLinalg)
#include "tst_cli_linalg.moc"
