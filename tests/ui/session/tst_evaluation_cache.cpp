// EvaluationCache: an evaluation equals lora::evaluate's bit for bit (merged too), is
// computed once per (snapshot, merged, data, classes) however many ask and however they
// overlap, forgets the oldest beyond its four, and a failure reaches every asker without
// being kept.
#include "session/evaluation_cache.h"

#include "train/merge_check.h"
#include "util/error.h"
#include "util/rng.h"

#include <QtTest>
#include <cstring>
#include <thread>

namespace {

// Three classes of random 12-pixel images; the split of classes {0, 2} keeps two of them.
DataPtr randomData() {
    auto data = std::make_shared<lora::SplitData>();
    lora::Rng rng(11);
    data->test.images.resize(90, 12);
    for (Eigen::Index i = 0; i < data->test.images.size(); ++i)
        data->test.images.data()[i] = rng.normal();
    for (int i = 0; i < 90; ++i) data->test.labels.push_back(i % 3);
    return data;
}

ModelPtr randomModel(std::uint64_t seed, bool adapter) {
    auto model = std::make_shared<lora::Mlp>("12-8-2");
    lora::Rng rng(seed);
    model->initDefault(rng);
    if (adapter) {
        model->attachLora(lora::LoraConfig(lora::LoraSpec{2, 2.0f}), rng);
        model->adapter(0)->B.setConstant(0.3f);
    }
    return model;
}

bool sameBits(const lora::Matrix& a, const lora::Matrix& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0;
}

const std::vector<int> kClasses{0, 2};

} // namespace

class TestEvaluationCache : public QObject {
    Q_OBJECT
private slots:
    void equalsEvaluate_data() {
        QTest::addColumn<bool>("merged");
        QTest::newRow("as it is") << false;
        QTest::newRow("merged") << true;
    }
    void equalsEvaluate() {
        QFETCH(bool, merged);
        const DataPtr data = randomData();
        const ModelPtr model = randomModel(1, true);
        EvaluationCache cache;
        const auto ev = cache.evaluation(model, merged, data, kClasses);
        lora::Mlp copy = merged ? lora::mergedModel(*model) : *model;
        const lora::Evaluation expected =
            lora::evaluate(copy, lora::filterClassesRemap(data->test, kClasses), true);
        QCOMPARE(ev->total, 60);
        QVERIFY(sameBits(ev->logits, expected.logits));
        QCOMPARE(ev->predictions, expected.predictions);
        QVERIFY(ev->loss == expected.loss);
        QCOMPARE(ev->confusion, expected.confusion);
        // Merging changes the rounding: the two keys are two evaluations.
        QCOMPARE(cache.evaluation(model, !merged, data, kClasses) == ev, false);
        QCOMPARE(cache.computedCount(), 2);
    }

    void computedOncePerKey() {
        const DataPtr data = randomData();
        const ModelPtr model = randomModel(2, false);
        EvaluationCache cache;
        const auto first = cache.evaluation(model, false, data, kClasses);
        QCOMPARE(cache.evaluation(model, false, data, kClasses), first); // the same object
        // Without an adapter "merged" is the model itself.
        QCOMPARE(cache.evaluation(model, true, data, kClasses), first);
        QCOMPARE(cache.computedCount(), 1);
        // An equal copy is another snapshot: keys are snapshots, not weights.
        (void)cache.evaluation(std::make_shared<lora::Mlp>(*model), false, data, kClasses);
        (void)cache.evaluation(model, false, data, std::vector<int>{2, 0});
        QCOMPARE(cache.computedCount(), 3);
        QCOMPARE(cache.split(data, kClasses)->size(), 60);
    }

    void overlappingAskersShareOnePass() {
        const DataPtr data = randomData();
        const ModelPtr model = randomModel(3, true);
        EvaluationCache cache;
        std::vector<EvaluationCache::Result> results(6);
        {
            std::vector<std::jthread> askers;
            for (auto& r : results)
                askers.emplace_back([&] { r = cache.evaluation(model, false, data, kClasses); });
        }
        QCOMPARE(cache.computedCount(), 1);
        for (const auto& r : results) QCOMPARE(r, results.front());
    }

    void keepsTheFourLatest() {
        const DataPtr data = randomData();
        EvaluationCache cache;
        std::vector<ModelPtr> models;
        for (int i = 0; i < 5; ++i) models.push_back(randomModel(10 + i, false));
        for (const auto& m : models) (void)cache.evaluation(m, false, data, kClasses);
        QCOMPARE(cache.computedCount(), 5);
        (void)cache.evaluation(models[4], false, data, kClasses); // kept
        (void)cache.evaluation(models[1], false, data, kClasses); // kept
        QCOMPARE(cache.computedCount(), 5);
        (void)cache.evaluation(models[0], false, data, kClasses); // the oldest: gone
        QCOMPARE(cache.computedCount(), 6);
    }

    void failuresReachAskersAndAreNotKept() {
        const DataPtr data = randomData();
        const ModelPtr model = randomModel(4, false);
        EvaluationCache cache;
        const std::vector<int> absent{7}; // no test image has label 7
        for (int attempt = 1; attempt <= 2; ++attempt) {
            try {
                (void)cache.evaluation(model, false, data, absent);
                QFAIL("an empty split was evaluated");
            } catch (const lora::InputError& e) {
                QVERIFY2(QString(e.what()).contains("no samples to evaluate on"), e.what());
            }
            QCOMPARE(cache.computedCount(), attempt); // tried afresh, not served the failure
        }
    }
};

QTEST_APPLESS_MAIN(TestEvaluationCache)
#include "tst_evaluation_cache.moc"
