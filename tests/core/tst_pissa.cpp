// PiSSA initialisation: the adapted network starts with the base's outputs (to 1e-5) because
// s·BA is W's best rank-r part and the frozen W becomes the residual; detaching gives W back
// bit for bit; a trained PiSSA adapter leaves as a plain rank-2r LoRA on the true base that
// computes the same outputs; adapter folders declaring PiSSA are refused.
#include "error_of.h"
#include "io/adapter_dir.h"
#include "linalg/truncated_svd.h"
#include "random_matrix.h"
#include "same_bits.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lora;
using lora::test::qErrorOf;
using lora::test::sameBits;
using lora::test::uniformMatrix;

namespace {

Mlp baseModel() {
    Mlp net("784-64-10");
    Rng rng(4);
    net.initDefault(rng);
    return net;
}

float maxGap(Mlp& a, Mlp& b, const Matrix& x) {
    const Matrix ya = a.forward(x);
    return (ya - Matrix(b.forward(x))).cwiseAbs().maxCoeff();
}

} // namespace

class TestPissa : public QObject {
    Q_OBJECT
private:
    const Matrix m_x = uniformMatrix(64, 784, 5).cwiseAbs();

private slots:
    void startsAsTheBase_data() {
        QTest::addColumn<int>("rank");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<bool>("rslora");
        QTest::newRow("r1 α1") << 1 << 1.0f << false;
        QTest::newRow("r4 α8") << 4 << 8.0f << false;
        QTest::newRow("r10 α16 rsLoRA") << 10 << 16.0f << true;
    }
    void startsAsTheBase() {
        QFETCH(int, rank);
        QFETCH(float, alpha);
        QFETCH(bool, rslora);
        Mlp base = baseModel();
        Mlp adapted = base;
        Rng rng(1);
        adapted.attachLora({{rank, alpha, rslora, LoraInit::Pissa}, {}}, rng);
        const float gap = maxGap(adapted, base, m_x);
        qInfo("max |logit(PiSSA) − logit(base)| = %.3g", gap);
        QVERIFY2(gap < 1e-5f, qPrintable(QString::number(gap)));
        for (int i = 0; i < base.layerCount(); ++i) {
            const LoraLinear& a = *adapted.adapter(i);
            QVERIFY(a.pissa());
            // s·BA is the best rank-r part of W; the layer's W is what is left.
            const Matrix wr = TruncatedSvd(base.layer(i).W).approximation(rank);
            QVERIFY((a.delta() - wr).cwiseAbs().maxCoeff() < 1e-5f);
            QVERIFY((adapted.layer(i).W + a.delta() - base.layer(i).W).cwiseAbs().maxCoeff() <
                    1e-6f);
            // Both factors carry √(σ/s): row norms of A equal column norms of B.
            QVERIFY(
                ((a.A.rowwise().norm()) - a.B.colwise().norm().transpose()).cwiseAbs().maxCoeff() <
                1e-4f);
        }
        adapted.detachLora();
        QVERIFY(sameBits(adapted, base));
    }

    void trainedAdapterLeavesAsPlainLora() {
        const Mlp base = baseModel();
        Mlp adapted = base;
        Rng rng(2);
        adapted.attachLora({{3, 6.0f, false, LoraInit::Pissa}, {"fc1"}}, rng);
        // What training would do: move A and B away from their start.
        adapted.adapter(0)->A += 0.01f * uniformMatrix(3, 784, 7);
        adapted.adapter(0)->B += 0.01f * uniformMatrix(64, 3, 8);

        const AdapterWeights plain = extractAdapter(adapted);
        QCOMPARE(plain.layers.size(), std::size_t(1));
        QCOMPARE(plain.layers[0].spec.rank, 6);
        QCOMPARE(plain.layers[0].spec.init, LoraInit::Kaiming);
        QCOMPARE(plain.layers[0].spec.scale(), adapted.adapter(0)->scale());

        QTemporaryDir tmp;
        writeAdapter(tmp.path().toStdString(), base, plain, {});
        Mlp fresh = base;
        loadAdapter(tmp.path().toStdString(), fresh);
        const float gap = maxGap(fresh, adapted, m_x);
        QVERIFY2(gap < 1e-5f, qPrintable(QString::number(gap)));
    }

    void refusals() {
        Mlp net("20-3-2");
        const Mlp before = net;
        Rng rng(1);
        QCOMPARE(qErrorOf([&] {
                     net.attachLora({{3, 1.0f, false, LoraInit::Pissa}, {}}, rng);
                 }),
                 QString("PiSSA needs a rank of at most min(in, out) = 2 for fc2, not 3"));
        QVERIFY(sameBits(net, before));
        AdapterWeights w;
        w.spec = {1, 1.0f, false, LoraInit::Pissa};
        w.layers.push_back({0, w.spec, Matrix::Zero(1, 20), Matrix::Zero(3, 1)});
        QCOMPARE(qErrorOf([&] { attachAdapter(net, w); }),
                 QString("fc1: a PiSSA adapter must be converted to plain LoRA first"));
        QCOMPARE(loraInitFromString("pissa"), LoraInit::Pissa);
        QCOMPARE(std::string(toString(LoraInit::Pissa)), std::string("pissa"));
    }
};

QTEST_GUILESS_MAIN(TestPissa)
#include "tst_pissa.moc"
