// skinnyGemmXWt / skinnyGemmDW: every row count 1..16 and the n, k tails around 16 (1, 15,
// 16, 17, 100, 784, 1000) against a double-precision reference, with leading dimensions
// larger than the rows, pointers one float off alignment, alpha ≠ 1, beta 0 over a NaN-filled
// c and beta 1 accumulating. Padding between rows holds NaN in the inputs (a kernel that reads
// it poisons its result) and a sentinel in c (a kernel that writes it is caught). The same
// inputs give the same bits on every call, whatever the alignment.
#include "nn/skinny_gemm.h"
#include "util/rng.h"

#include <QtTest>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

using namespace lora;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kSentinel = 12345.0f; // in c's padding: must survive every call

// A row-major rows × cols matrix inside a buffer with leading dimension cols + pad, starting
// `offset` floats into it; the padding holds `fill`.
struct Strided {
    std::vector<float> buffer;
    long offset, ld;

    Strided(long rows, long cols, long pad, long offset_, float fill)
        : buffer(std::size_t(offset_ + rows * (cols + pad)), fill), offset(offset_),
          ld(cols + pad) {}
    float* data() { return buffer.data() + offset; }
    float at(long i, long j) const { return buffer[std::size_t(offset + i * ld + j)]; }
    float& at(long i, long j) { return buffer[std::size_t(offset + i * ld + j)]; }
};

void fillUniform(Strided& s, long rows, long cols, Rng& rng) {
    for (long i = 0; i < rows; ++i)
        for (long j = 0; j < cols; ++j) s.at(i, j) = rng.uniform(-1, 1);
}

struct Case {
    bool dw;
    long m, n, k, pad, offset;
    float alpha, beta;
};

// Runs one product and compares it with the reference; returns "" or the first failure.
// a: [m, k], w: [n, k] (XWt) or [k, n] (DW) -> c: [m, n]
QString check(const Case& t, std::uint64_t seed) {
    Rng rng(seed);
    const long wRows = t.dw ? t.k : t.n, wCols = t.dw ? t.n : t.k;
    Strided a(t.m, t.k, t.pad, t.offset, kNaN), w(wRows, wCols, t.pad, t.offset, kNaN);
    Strided c(t.m, t.n, t.pad, t.offset, kSentinel);
    fillUniform(a, t.m, t.k, rng);
    fillUniform(w, wRows, wCols, rng);
    for (long i = 0; i < t.m; ++i)
        for (long j = 0; j < t.n; ++j) c.at(i, j) = t.beta == 0.0f ? kNaN : rng.uniform(-1, 1);
    const Strided start = c;

    if (t.dw)
        skinnyGemmDW(t.m, t.n, t.k, t.alpha, a.data(), a.ld, w.data(), w.ld, t.beta, c.data(),
                     c.ld);
    else
        skinnyGemmXWt(t.m, t.n, t.k, t.alpha, a.data(), a.ld, w.data(), w.ld, t.beta, c.data(),
                      c.ld);

    for (long i = 0; i < t.m; ++i)
        for (long j = 0; j < t.n; ++j) {
            double sum = 0, magnitude = 0;
            for (long p = 0; p < t.k; ++p) {
                const double wv = t.dw ? w.at(p, j) : w.at(j, p);
                sum += double(a.at(i, p)) * wv;
                magnitude += std::abs(double(a.at(i, p)) * wv);
            }
            const double before = t.beta == 0.0f ? 0.0 : double(start.at(i, j));
            const double expected = double(t.alpha) * sum + double(t.beta) * before;
            // Float sums of k terms in 16 lanes: rounding ~ (k/16 + 8)·ε relative to Σ|a||w|,
            // far below this; a dropped or doubled product is ~1/k of it, far above.
            const double tolerance =
                1e-5 * (std::abs(double(t.alpha)) * magnitude + std::abs(t.beta * before));
            const double error = std::abs(double(c.at(i, j)) - expected);
            if (!(error <= tolerance)) // also catches NaN
                return QString("c(%1, %2) = %3, expected %4 (tolerance %5)")
                    .arg(i)
                    .arg(j)
                    .arg(double(c.at(i, j)), 0, 'g', 9)
                    .arg(expected, 0, 'g', 9)
                    .arg(tolerance);
        }
    for (long i = 0; i < t.m; ++i)
        for (long j = t.n; j < c.ld; ++j)
            if (c.at(i, j) != kSentinel)
                return QString("padding c(%1, %2) overwritten").arg(i).arg(j);
    for (long p = 0; p < t.offset; ++p)
        if (c.buffer[std::size_t(p)] != kSentinel) return "wrote before c";
    return {};
}

} // namespace

Q_DECLARE_METATYPE(Case)

class TestSkinnyGemm : public QObject {
    Q_OBJECT
private slots:
    void matchesReference_data() {
        QTest::addColumn<Case>("t");
        const long sizes[] = {1, 15, 16, 17, 100, 784, 1000};
        const float alphas[] = {1.0f, -0.5f, 2.5f};
        int index = 0;
        // Row counts around the register blocking (1 row, 3, 10 in one block, 16 in two),
        // every n and k from the list; beta, alpha, padding and alignment rotate so that
        // each combination meets large and small shapes.
        for (bool dw : {false, true})
            for (long m : {1L, 3L, 10L, 16L})
                for (long n : sizes)
                    for (long k : sizes) {
                        const Case t{dw,
                                     m,
                                     n,
                                     k,
                                     (index / 2) % 3 * 7,
                                     (index / 6) % 2,
                                     alphas[index % 3],
                                     float(index % 2)};
                        ++index;
                        QTest::newRow(qPrintable(name(t))) << t;
                    }
        // Every row count, each with tails in n (50 = 48 + 2 = 32 + 18 = 3·16 + 2) and k.
        for (bool dw : {false, true})
            for (long m = 1; m <= kSkinnyGemmMaxRows; ++m)
                for (float beta : {0.0f, 1.0f}) {
                    const Case t{dw, m, 50, 37, 5, 1, -1.5f, beta};
                    QTest::newRow(qPrintable(name(t))) << t;
                }
    }
    void matchesReference() {
        if (!skinnyGemmAvailable()) QSKIP("this CPU has no AVX-512F");
        QFETCH(Case, t);
        const QString failure = check(t, std::uint64_t(t.m * 1000003 + t.n * 1009 + t.k));
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }

    void sameBitsEveryCall_data() {
        QTest::addColumn<bool>("dw");
        QTest::addColumn<int>("m");
        QTest::newRow("XWt m10") << false << 10;
        QTest::newRow("XWt m16") << false << 16;
        QTest::newRow("DW m10") << true << 10;
        QTest::newRow("DW m15") << true << 15;
    }
    void sameBitsEveryCall() {
        if (!skinnyGemmAvailable()) QSKIP("this CPU has no AVX-512F");
        QFETCH(bool, dw);
        QFETCH(int, m);
        const long n = 300, k = 250;
        // The same values at two alignments: the summation order depends only on the shape.
        std::vector<float> results[3];
        for (int call = 0; call < 3; ++call) {
            const long offset = call == 2 ? 1 : 0;
            Rng rng(7);
            Strided a(m, k, 0, offset, 0.0f), w(dw ? k : n, dw ? n : k, 0, offset, 0.0f);
            Strided c(m, n, 0, offset, kNaN);
            fillUniform(a, m, k, rng);
            fillUniform(w, dw ? k : n, dw ? n : k, rng);
            if (dw)
                skinnyGemmDW(m, n, k, 0.75f, a.data(), a.ld, w.data(), w.ld, 0.0f, c.data(), c.ld);
            else
                skinnyGemmXWt(m, n, k, 0.75f, a.data(), a.ld, w.data(), w.ld, 0.0f, c.data(), c.ld);
            results[call].assign(c.data(), c.data() + m * n);
        }
        const std::size_t bytes = sizeof(float) * results[0].size();
        QVERIFY(std::memcmp(results[0].data(), results[1].data(), bytes) == 0);
        QVERIFY(std::memcmp(results[0].data(), results[2].data(), bytes) == 0);
    }

private:
    static QString name(const Case& t) {
        return QString("%1 m%2 n%3 k%4 a%5 b%6 pad%7 off%8")
            .arg(t.dw ? "DW" : "XWt")
            .arg(t.m)
            .arg(t.n)
            .arg(t.k)
            .arg(double(t.alpha))
            .arg(double(t.beta))
            .arg(t.pad)
            .arg(t.offset);
    }
};

QTEST_GUILESS_MAIN(TestSkinnyGemm)
#include "tst_skinny_gemm.moc"
