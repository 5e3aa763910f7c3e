// LoRA variants side by side on the embedded 7-vs-8 task from a 3-vs-4 base: names parse,
// rsLoRA's scale is α/√r, runs are reproducible, PiSSA and Kaiming both start at the base's
// loss, bad variants are refused before anything trains, and the rank sweep shows what
// rsLoRA is for: under α/r the update reached shrinks as r grows, under α/√r it does not.
#include "data/idx.h"
#include "error_of.h"
#include "train/variants.h"

#include "seed_base.h"

#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;

class TestVariants : public QObject {
    Q_OBJECT
private:
    Mlp m_base{"784-64-2"};
    Dataset m_train, m_test;

    std::vector<VariantRun> train(const std::vector<LoraVariant>& variants, long steps,
                                  const std::vector<std::string>& targets = {}) {
        TrainOptions options;
        options.maxSteps = steps;
        options.seed = 3;
        return compareVariants(m_base, m_train, m_test, variants, targets, options, 0);
    }

private slots:
    void initTestCase() {
        const SplitData& mnist = loadEmbeddedMnist();
        m_base = test::trainedSeedBase();
        m_train = filterClassesRemap(mnist.train, {7, 8});
        m_test = filterClassesRemap(mnist.test, {7, 8});
    }

    void names_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("name");
        QTest::addColumn<float>("scale"); // r 16, α 8
        QTest::newRow("kaiming") << "kaiming"
                                 << "kaiming r16" << 0.5f;
        QTest::newRow("rsLoRA α/√r") << "kaiming+rslora"
                                     << "kaiming+rslora r16" << 2.0f;
        QTest::newRow("pissa") << "pissa"
                               << "pissa r16" << 0.5f;
        QTest::newRow("gaussian rsLoRA") << "gaussian+rslora"
                                         << "gaussian+rslora r16" << 2.0f;
    }
    void names() {
        QFETCH(QString, text);
        QFETCH(QString, name);
        QFETCH(float, scale);
        const LoraVariant v = LoraVariant::parse(text.toStdString(), 16, 8.0f);
        QCOMPARE(QString::fromStdString(v.name()), name);
        QCOMPARE(v.spec.scale(), scale);
        Mlp model = m_base;
        Rng rng(0);
        LoraSpec spec = v.spec;
        if (spec.init == LoraInit::Pissa) spec.rank = 2; // fc2 has 2 outputs
        model.attachLora({spec, {}}, rng);
        QCOMPARE(model.adapter(0)->scale(), spec.scale()); // what the layer really multiplies by
    }

    void refusedBeforeTraining() {
        int heard = 0;
        const auto variants = {LoraVariant::parse("kaiming", 4, 1),
                               LoraVariant::parse("pissa", 4, 1)};
        const QString error = qErrorOf([&] {
            compareVariants(m_base, m_train, m_test, variants, {}, TrainOptions{}, 0,
                            [&](const auto&) { ++heard; });
        });
        QCOMPARE(error, QString("PiSSA needs a rank of at most min(in, out) = 2 for fc2, not 4"));
        QCOMPARE(heard, 0);
        QCOMPARE(qErrorOf([] { LoraVariant::parse("kaiming+dora", 4, 1); }),
                 QString("unknown variant 'kaiming+dora' (use kaiming, gaussian or pissa, "
                         "optionally with +rslora)"));
    }

    void reproducibleAndStartingAtTheBase() {
        const auto runs =
            train({LoraVariant::parse("kaiming", 2, 4), LoraVariant::parse("kaiming", 2, 4),
                   LoraVariant::parse("pissa", 2, 4)},
                  20);
        QCOMPARE(runs.size(), std::size_t(3));
        QVERIFY(runs[0].run.stepLosses == runs[1].run.stepLosses);
        QCOMPARE(runs[0].accuracy, runs[1].accuracy);
        // Both start from the base's function, so the first batch's loss agrees.
        QVERIFY(std::abs(runs[0].run.stepLosses[0] - runs[2].run.stepLosses[0]) < 1e-5f);
        QVERIFY(runs[2].run.stepLosses[1] != runs[0].run.stepLosses[1]); // then they part
    }

    void rankSweepShowsWhyRsLoraExists() {
        std::vector<LoraVariant> variants;
        for (int r : {1, 64})
            for (const char* v : {"kaiming", "kaiming+rslora"})
                variants.push_back(LoraVariant::parse(v, r, 8.0f));
        const auto runs = train(variants, 30, {"fc1"});
        const double standard = runs[2].deltaNorm / runs[0].deltaNorm; // r 64 vs r 1 under α/r
        const double rs = runs[3].deltaNorm / runs[1].deltaNorm;
        qInfo("‖ΔW‖ r1 → r64: α/r %.2f → %.2f (×%.2f), α/√r %.2f → %.2f (×%.2f)", runs[0].deltaNorm,
              runs[2].deltaNorm, standard, runs[1].deltaNorm, runs[3].deltaNorm, rs);
        QCOMPARE(runs[0].deltaNorm, runs[1].deltaNorm); // at r = 1 the two rules coincide
        QVERIFY(standard < 0.9);
        QVERIFY(rs > 1.1);
    }
};

QTEST_GUILESS_MAIN(TestVariants)
#include "tst_variants.moc"
