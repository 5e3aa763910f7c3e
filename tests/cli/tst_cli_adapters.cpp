// lora-cli adapters combine end to end: two adapter folders on one base become a third
// whose rank and ΔW follow the method, readable again by loadAdapter; bad requests exit
// with 2, one line, and write nothing.
#include "cli_runner.h"
#include "io/adapter_dir.h"
#include "io/model_file.h"
#include "util/rng.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>

using lora::test::runCli;

class TestCliAdapters : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    QString m_base, m_r2, m_r3, m_r2b;

    void makeAdapter(const QString& dir, int rank, std::uint64_t seed) {
        lora::LoadedModel loaded = lora::loadModel(m_base.toStdString());
        lora::Rng rng(seed);
        loaded.model.attachLora({{rank, 2.0f * rank}, {}}, rng);
        for (int i = 0; i < loaded.model.layerCount(); ++i) {
            lora::LoraLinear* a = loaded.model.adapter(i);
            for (Eigen::Index k = 0; k < a->B.size(); ++k) a->B.data()[k] = rng.normal();
        }
        lora::saveAdapter(dir.toStdString(), loaded.model, {{7, 8}});
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_base = m_dir.filePath("base.safetensors");
        lora::Mlp model("784-16-2");
        lora::Rng rng(3);
        model.initDefault(rng);
        lora::saveModel(m_base.toStdString(), model, {{3, 4}});
        m_r2 = m_dir.filePath("r2");
        m_r3 = m_dir.filePath("r3");
        m_r2b = m_dir.filePath("r2b");
        makeAdapter(m_r2, 2, 1);
        makeAdapter(m_r3, 3, 2);
        makeAdapter(m_r2b, 2, 4);
    }

    void combine_data() {
        QTest::addColumn<QString>("method");
        QTest::addColumn<QString>("second");
        QTest::addColumn<int>("rank");
        QTest::addColumn<double>("gapBound"); // largest |ΔW_new − Σ wᵢΔWᵢ| allowed
        QTest::newRow("cat") << "cat"
                             << "r3" << 5 << 1e-6;
        // fc2 (16→2) holds rank 2 at most; svd's exactness is checked in tst_adapter_combine.
        QTest::newRow("svd rank 2") << "svd"
                                    << "r3" << 2 << 1e9;
        QTest::newRow("linear") << "linear"
                                << "r2b" << 2 << 1e9; // PEFT's √w: not exact
    }
    void combine() {
        QFETCH(QString, method);
        QFETCH(QString, second);
        QFETCH(int, rank);
        QFETCH(double, gapBound);
        const QString out = m_dir.filePath("combined-" + method);
        QStringList args{"adapters", "combine",    "--base",
                         m_base,     "--adapters", m_r2 + "," + m_dir.filePath(second),
                         "--method", method,       "--weights",
                         "0.5,1.5",  "--out",      out};
        if (method == "svd")
            args << "--rank"
                 << "2";
        const auto run = runCli(args);
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QCOMPARE(run.json["rank"].toInt(), rank);
        QCOMPARE(run.json["alpha"].toDouble(), double(rank));
        const QJsonArray layers = run.json["layers"].toArray();
        QCOMPARE(layers.size(), 2);
        for (const auto& l : layers) QVERIFY(l.toObject()["max_abs_gap"].toDouble() <= gapBound);

        lora::LoadedModel base = lora::loadModel(m_base.toStdString());
        const lora::LoadedAdapter back = lora::loadAdapter(out.toStdString(), base.model);
        QCOMPARE(back.config.spec.rank, rank);
        QCOMPARE(back.config.spec.scale(), 1.0f);
        QCOMPARE(back.info.classes, (std::vector<int>{7, 8}));
    }

    void merge() {
        const QString out = m_dir.filePath("merged.safetensors");
        const auto run =
            runCli({"adapters", "merge", "--base", m_base, "--adapter", m_r3, "--out", out});
        QVERIFY2(run.exitCode == 0, qPrintable(run.stdErr));
        QVERIFY(run.json["max_unmerge_error"].toDouble() <= 1e-6);
        QVERIFY(run.json["max_logit_diff"].toDouble() < 1e-3);
        QCOMPARE(run.json["classes"].toArray().size(), 2);
        // The merged file is a plain base with the adapter's accuracy.
        const auto plain = runCli({"eval", "--base", out, "--classes", "7,8"});
        QCOMPARE(plain.exitCode, 0);
        QCOMPARE(plain.json["lora"].toBool(), false);
        QCOMPARE(plain.json["accuracy"].toDouble(), run.json["accuracy_merged"].toDouble());
    }

    void badRequests_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("no action") << QStringList{} << "adapters needs an action: combine or merge";
        QTest::newRow("action") << QStringList{"split"} << "unknown adapters action 'split'";
        QTest::newRow("one adapter")
            << QStringList{"combine", "--adapters", "R2"} << "at least two adapters";
        QTest::newRow("ranks") << QStringList{"combine", "--adapters", "R2,R3", "--method",
                                              "linear"}
                               << "linear combination needs equal ranks (got 2 and 3)";
        QTest::newRow("weights") << QStringList{"combine", "--adapters", "R2,R3", "--weights", "1"}
                                 << "--weights has 1 values for 2 adapters";
        QTest::newRow("weight text")
            << QStringList{"combine", "--adapters", "R2,R3", "--weights", "1,x"}
            << "--weights: 'x' is not a number";
        QTest::newRow("method") << QStringList{"combine", "--adapters", "R2,R3", "--method", "ties"}
                                << "unknown combination 'ties'";
        QTest::newRow("svd rank") << QStringList{"combine", "--adapters", "R2,R3", "--method",
                                                 "svd",     "--rank",     "3"}
                                  << "svd rank must be between 1 and 2 for fc2, not 3";
        QTest::newRow("missing dir")
            << QStringList{"combine", "--adapters", "R2,nowhere"} << "nowhere: not a directory";
    }
    void badRequests() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QString out = m_dir.filePath("never");
        args.replaceInStrings("R2", m_r2).replaceInStrings("R3", m_r3);
        if (!args.isEmpty() && args.first() == "combine")
            args << "--base" << m_base << "--out" << out;
        const auto run = runCli(QStringList{"adapters"} + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(message), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
        QVERIFY(!QDir(out).exists());
    }
};

QTEST_GUILESS_MAIN(TestCliAdapters)
#include "tst_cli_adapters.moc"
