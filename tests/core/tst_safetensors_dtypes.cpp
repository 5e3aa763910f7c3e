// Writing F16 and BF16 tensors: a file read and written again is the same bytes and the same
// values (so a resized or converted adapter keeps its precision and its size), and narrowing
// a float rounds to nearest with ties to even, overflows to infinity past the format's
// largest value, keeps subnormals and keeps NaN a NaN.
#include "io/safetensors.h"

#include <QtTest>
#include <cmath>
#include <limits>

using namespace lora;

namespace {

// One value through a write in `dtype` and a read back.
float through(float v, TensorDType dtype) {
    SafetensorsFile f;
    f.tensors.push_back({"t", {1}, {v}, dtype});
    return decodeSafetensors(encodeSafetensors(f), "test").tensors[0].data[0];
}

} // namespace

class TestSafetensorsDtypes : public QObject {
    Q_OBJECT
private slots:
    void roundTripKeepsBytes_data() {
        QTest::addColumn<int>("dtype");
        QTest::newRow("F16") << int(TensorDType::F16);
        QTest::newRow("BF16") << int(TensorDType::BF16);
        QTest::newRow("F32") << int(TensorDType::F32);
    }
    void roundTripKeepsBytes() {
        QFETCH(int, dtype);
        SafetensorsFile f;
        f.metadata["format"] = "pt";
        std::vector<float> values;
        for (int i = -50; i < 50; ++i) values.push_back(std::ldexp(float(i) + 0.37f, i % 7));
        f.tensors.push_back({"a.lora_down.weight", {10, 10}, values, TensorDType(dtype)});
        const std::vector<std::uint8_t> once = encodeSafetensors(f);
        const SafetensorsFile read = decodeSafetensors(once, "once");
        QCOMPARE(int(read.tensors[0].dtype), dtype);
        QCOMPARE(encodeSafetensors(read), once); // same bytes the second time
        const std::size_t dataBytes = 100 * bytesPer(TensorDType(dtype));
        QVERIFY(once.size() < dataBytes + 200); // the header and the data, no widening
        QVERIFY(once.size() >= dataBytes);
    }

    void narrowingRounds_data() {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<float>("in");
        QTest::addColumn<float>("out");
        const float inf = std::numeric_limits<float>::infinity();
        QTest::newRow("bf16 tie to even (down)")
            << int(TensorDType::BF16) << 1.0f + 0x1p-8f << 1.0f;
        QTest::newRow("bf16 tie to even (up)")
            << int(TensorDType::BF16) << 1.0f + 3 * 0x1p-8f << 1.0f + 0x1p-6f;
        QTest::newRow("bf16 nearest")
            << int(TensorDType::BF16) << 1.0f + 0x1p-7f + 0x1p-12f << 1.0f + 0x1p-7f;
        QTest::newRow("f16 largest") << int(TensorDType::F16) << 65519.0f << 65504.0f;
        QTest::newRow("f16 overflow") << int(TensorDType::F16) << 65520.0f << inf;
        QTest::newRow("f16 negative overflow") << int(TensorDType::F16) << -1e6f << -inf;
        QTest::newRow("f16 tie to even") << int(TensorDType::F16) << 1.0f + 0x1p-11f << 1.0f;
        QTest::newRow("f16 smallest subnormal") << int(TensorDType::F16) << 0x1p-24f << 0x1p-24f;
        QTest::newRow("f16 below half of it") << int(TensorDType::F16) << 0x1p-26f << 0.0f;
        QTest::newRow("f16 subnormal rounding")
            << int(TensorDType::F16) << 3.4f * 0x1p-24f << 3 * 0x1p-24f;
        QTest::newRow("f16 smallest normal") << int(TensorDType::F16) << 0x1p-14f << 0x1p-14f;
    }
    void narrowingRounds() {
        QFETCH(int, dtype);
        QFETCH(float, in);
        QFETCH(float, out);
        const float got = through(in, TensorDType(dtype));
        QVERIFY2(got == out,
                 qPrintable(QString("%1 -> %2, expected %3").arg(in).arg(got).arg(out)));
    }

    void nanStaysNan() {
        for (TensorDType d : {TensorDType::F16, TensorDType::BF16})
            QVERIFY(std::isnan(through(std::nanf(""), d)));
    }
};

QTEST_APPLESS_MAIN(TestSafetensorsDtypes)
#include "tst_safetensors_dtypes.moc"
