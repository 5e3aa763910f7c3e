// gemm(): every operand orientation, alpha and accumulate, the tiny and vector shapes that
// go through Eigen's own product, and the 2-thread slicing by rows and by columns (uneven
// extents included) all agree with a double-precision reference, through OpenBLAS, through
// Eigen and as the build chooses; one thread gives the same bits every call, and the Eigen
// backend matches Eigen's operator* bit for bit (the same kernel with the same blocking).
#include "nn/blas.h"
#include "nn/gemm.h"
#include "random_matrix.h"
#include "util/rng.h"
#include "util/threads.h"

#include <QtTest>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lora;
using lora::test::uniformMatrix;

Q_DECLARE_METATYPE(lora::GemmBackend)

class TestGemm : public QObject {
    Q_OBJECT
private slots:
    void matchesReference_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::addColumn<bool>("ta");
        QTest::addColumn<bool>("tb");
        QTest::addColumn<float>("alpha");
        QTest::addColumn<bool>("accumulate");
        QTest::addColumn<int>("threads");
        QTest::addColumn<GemmBackend>("backend");
        for (GemmBackend backend : {GemmBackend::Auto, GemmBackend::Blas, GemmBackend::Eigen})
            for (int threads : {1, 2})
                for (bool ta : {false, true})
                    for (bool tb : {false, true}) {
                        const auto tag = [&](const char* shape) {
                            return QByteArray(shape) + (ta ? " Aᵀ" : " A") + (tb ? " Bᵀ" : " B") +
                                   " t" + QByteArray::number(threads) + " " + toString(backend);
                        };
                        QTest::newRow(tag("tiny 3x4x5"))
                            << 3 << 4 << 5 << ta << tb << 1.0f << false << threads << backend;
                        QTest::newRow(tag("vector 1x300x200"))
                            << 1 << 300 << 200 << ta << tb << 0.5f << true << threads << backend;
                        QTest::newRow(tag("column 64x1x784"))
                            << 64 << 1 << 784 << ta << tb << 2.0f << false << threads << backend;
                        QTest::newRow(tag("rank-4 64x4x784"))
                            << 64 << 4 << 784 << ta << tb << 1.0f << true << threads << backend;
                        QTest::newRow(tag("cols split 64x1000x300"))
                            << 64 << 1000 << 300 << ta << tb << 0.25f << true << threads << backend;
                        QTest::newRow(tag("rows split 777x64x200"))
                            << 777 << 64 << 200 << ta << tb << 1.0f << false << threads << backend;
                        // At most 16 rows: the skinny kernels when A is not transposed.
                        QTest::newRow(tag("batch 10x700x300"))
                            << 10 << 700 << 300 << ta << tb << 0.5f << true << threads << backend;
                        QTest::newRow(tag("batch 16x130x1000"))
                            << 16 << 130 << 1000 << ta << tb << 1.0f << false << threads << backend;
                        QTest::newRow(tag("uneven 203x517x97"))
                            << 203 << 517 << 97 << ta << tb << -1.5f << true << threads << backend;
                    }
    }
    void matchesReference() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        QFETCH(bool, ta);
        QFETCH(bool, tb);
        QFETCH(float, alpha);
        QFETCH(bool, accumulate);
        QFETCH(int, threads);
        QFETCH(GemmBackend, backend);
        if (threads > 1 && !threadingAvailable()) QSKIP("built without OpenMP");
        const Matrix a = ta ? uniformMatrix(k, m, 1) : uniformMatrix(m, k, 1);
        const Matrix b = tb ? uniformMatrix(n, k, 2) : uniformMatrix(k, n, 2);
        const Matrix start = uniformMatrix(m, n, 3);
        Matrix c = start;
        setComputeThreads(threads);
        setGemmBackend(backend);
        gemm(c, a, ta ? Op::Transpose : Op::None, b, tb ? Op::Transpose : Op::None, alpha,
             accumulate);
        setGemmBackend(GemmBackend::Auto);
        setComputeThreads(1);

        const Eigen::MatrixXd ad = a.cast<double>(), bd = b.cast<double>();
        Eigen::MatrixXd expected = double(alpha) * ((ta ? Eigen::MatrixXd(ad.transpose()) : ad) *
                                                    (tb ? Eigen::MatrixXd(bd.transpose()) : bd));
        if (accumulate) expected += start.cast<double>();
        const double worst = (c.cast<double>() - expected).cwiseAbs().maxCoeff();
        // k products of |x| ≤ 1 summed in float: rounding grows at most like k·ε.
        QVERIFY2(worst <= 4.0 * k * 1.2e-7 * std::abs(alpha) + 1e-6,
                 qPrintable(QString("largest error %1").arg(worst)));
    }

    void eigenBackendIsEigensProductBitForBit() {
        const Matrix x = uniformMatrix(64, 784, 4), w = uniformMatrix(1000, 784, 5);
        Matrix mine(64, 1000);
        setGemmBackend(GemmBackend::Eigen);
        gemm(mine, x, Op::None, w, Op::Transpose);
        setGemmBackend(GemmBackend::Auto);
        const Matrix eigen = x * w.transpose();
        QVERIFY(std::memcmp(mine.data(), eigen.data(), sizeof(float) * mine.size()) == 0);
    }

    // The step's shapes, batch 64 and 10, LoRA's thin ones included: one thread, same bits.
    void sameBitsEveryCall_data() {
        QTest::addColumn<int>("m");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("k");
        QTest::newRow("x·W1ᵀ b64") << 64 << 1000 << 784;
        QTest::newRow("x·W2ᵀ b10") << 10 << 2000 << 1000;
        QTest::newRow("x·Aᵀ r4") << 64 << 4 << 1000;
        QTest::newRow("h·Bᵀ r4") << 64 << 2000 << 4;
    }
    void sameBitsEveryCall() {
        QFETCH(int, m);
        QFETCH(int, n);
        QFETCH(int, k);
        const Matrix x = uniformMatrix(m, k, 8), w = uniformMatrix(n, k, 9);
        Matrix first(m, n), again(m, n);
        gemm(first, x, Op::None, w, Op::Transpose);
        for (int i = 0; i < 3; ++i) {
            gemm(again, x, Op::None, w, Op::Transpose);
            QVERIFY(std::memcmp(first.data(), again.data(), sizeof(float) * first.size()) == 0);
        }
    }

    // A destination full of NaN is overwritten, not added to, when not accumulating: the
    // BLAS's beta = 0 must not read it.
    void overwritesNaN() {
        const Matrix a = uniformMatrix(64, 300, 10), b = uniformMatrix(300, 500, 11);
        for (GemmBackend backend : {GemmBackend::Blas, GemmBackend::Eigen}) {
            Matrix c = Matrix::Constant(64, 500, std::numeric_limits<float>::quiet_NaN());
            setGemmBackend(backend);
            gemm(c, a, Op::None, b, Op::None);
            setGemmBackend(GemmBackend::Auto);
            QVERIFY(c.allFinite());
            QVERIFY((c - a * b).cwiseAbs().maxCoeff() < 1e-3f);
        }
    }

    // exit() while another thread is inside a product: OpenBLAS's library destructor unmaps
    // its buffers, so the core must stop taking products to it first (a GUI quitting while a
    // background job computes). Each child exits mid-product and must exit cleanly.
    void exitDuringAProduct() {
#ifdef LORA_SANITIZED
        QSKIP("a forked child exiting with threads mid-loop is outside what the sanitizers' "
              "exit checks expect");
#endif
        for (int round = 0; round < 5; ++round) {
            std::fflush(nullptr);
            const pid_t child = fork();
            QVERIFY(child >= 0);
            if (child == 0) {
                setGemmBackend(GemmBackend::Blas);
                const auto work = [](int seed, bool repeat) {
                    const Matrix x = uniformMatrix(64, 1000, seed);
                    const Matrix w = uniformMatrix(2000, 1000, 13);
                    Matrix c(64, 2000);
                    do gemm(c, x, Op::None, w, Op::Transpose);
                    while (repeat);
                };
                work(14, false); // the main thread has used the BLAS too, as a GUI's has
                for (int t = 0; t < 3; ++t) std::thread(work, 20 + t, true).detach();
                std::this_thread::sleep_for(std::chrono::milliseconds(30 + 7 * round));
                std::exit(0);
            }
            int status = 0;
            QCOMPARE(waitpid(child, &status, 0), child);
            QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                     qPrintable(QString("child ended with status %1").arg(status)));
        }
    }

    void writesOnlyItsBlock() {
        // A destination that is a block of a larger matrix (outer stride > columns).
        Matrix big = Matrix::Constant(100, 300, 7.0f);
        const Matrix a = uniformMatrix(50, 80, 6), b = uniformMatrix(80, 120, 7);
        setComputeThreads(2);
        gemm(big.block(10, 20, 50, 120), a, Op::None, b, Op::None);
        setComputeThreads(1);
        QVERIFY((big.block(10, 20, 50, 120) - a * b).cwiseAbs().maxCoeff() < 1e-4f);
        Matrix outside = big;
        outside.block(10, 20, 50, 120).setConstant(7.0f);
        QVERIFY((outside.array() == 7.0f).all());
    }
};

QTEST_GUILESS_MAIN(TestGemm)
#include "tst_gemm.moc"
