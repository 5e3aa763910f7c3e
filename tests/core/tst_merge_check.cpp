// checkMerge measures merging without keeping it (the model comes back bit for bit, switched
// off adapters included), finds the round trip within 1e-6 and the logits close; mergedModel
// is a plain model computing base + LoRA; adapters with NaN are refused.
#include "error_of.h"
#include "nn/adapter_weights.h"
#include "random_matrix.h"
#include "same_bits.h"
#include "train/merge_check.h"

#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;
using lora::test::sameBits;
using lora::test::uniformMatrix;

namespace {

Mlp adaptedModel() {
    Mlp net("40-24-3");
    Rng rng(2);
    net.initDefault(rng);
    net.attachLora({{4, 8.0f}, {}}, rng);
    for (int i = 0; i < net.layerCount(); ++i)
        net.adapter(i)->B = 0.1f * uniformMatrix(net.layer(i).out(), 4, 10 + i);
    return net;
}

Dataset data(int n) {
    Dataset d;
    d.numClasses = 3;
    d.images = uniformMatrix(n, 40, 9);
    for (int i = 0; i < n; ++i) d.labels.push_back(i % 3);
    return d;
}

} // namespace

class TestMergeCheck : public QObject {
    Q_OBJECT
private slots:
    void measuresWithoutKeeping() {
        Mlp net = adaptedModel();
        net.adapter(1)->enabled = false; // the check switches it on and back off
        const Mlp before = net;
        const MergeReport r = checkMerge(net, data(200));
        QVERIFY(sameBits(net, before));
        QVERIFY(net.adapter(0)->enabled && !net.adapter(1)->enabled);
        QVERIFY(r.maxUnmergeError <= 1e-6);
        QVERIFY(r.maxLogitDiff < 1e-4);
        QCOMPARE(r.accuracyMerged, r.accuracyUnmerged);
    }

    void mergedModelIsPlainAndEqual() {
        Mlp net = adaptedModel();
        const Matrix x = uniformMatrix(50, 40, 3);
        const Matrix adapted = net.forward(x);
        Mlp plain = mergedModel(net);
        QVERIFY(!plain.hasLora());
        QCOMPARE(plain.architecture(), net.architecture());
        QVERIFY((Matrix(plain.forward(x)) - adapted).cwiseAbs().maxCoeff() < 1e-5f);
    }

    void refuses_data() {
        QTest::addColumn<bool>("withAdapter");
        QTest::addColumn<QString>("message");
        QTest::newRow("no adapter") << false << "there is no adapter to merge";
        QTest::newRow("NaN") << true
                             << "fc2: the adapter holds NaN or Inf values; refusing to merge";
    }
    void refuses() {
        QFETCH(bool, withAdapter);
        QFETCH(QString, message);
        Mlp net = adaptedModel();
        if (withAdapter)
            net.adapter(1)->B(0, 0) = std::numeric_limits<float>::infinity();
        else
            net.detachLora();
        const Mlp before = net;
        QCOMPARE(qErrorOf([&] { checkMerge(net, data(10)); }), message);
        QCOMPARE(qErrorOf([&] { mergedModel(net); }), message);
        QVERIFY(sameBits(net, before));
    }
};

QTEST_GUILESS_MAIN(TestMergeCheck)
#include "tst_merge_check.moc"
