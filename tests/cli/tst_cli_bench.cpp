// lora-cli bench: the JSON fields the comparison script reads, FLOP counts worked out by hand
// for seed 000's net (no dW for frozen weights, no dX for the first layer, LoRA as thin
// products), the kernels' provenance (--gemm, blas, blas_core), the FMA peak, and bad input
// exiting with 2 and one line naming the flag.
#include "cli_runner.h"

using lora::test::runCli;

class TestCliBench : public QObject {
    Q_OBJECT
private slots:
    void flopCounts_data() {
        QTest::addColumn<QString>("mode");
        QTest::addColumn<double>("flops");
        QTest::addColumn<int>("trainable");
        // forward 2·64·(784·64 + 64·2) = 6,438,912; dW the same; dX of fc2 2·64·64·2.
        QTest::newRow("full") << "full" << 12894208.0 << 50370;
        // forward 6,438,912 + LoRA 2·64·(784·4 + 4·64) + 2·64·(64·4 + 4·2) = 6,906,880;
        // backward: fc2 dX 16,384 + fc1 dB,dh 65,536 + fc1 dA 401,408 + fc2 dB,dh 2,048
        // + fc2 dA 32,768 + fc2 dX through A 32,768 = 550,912.
        QTest::newRow("lora") << "lora" << 7457792.0 << 3656;
        // 2,000 images through the base: 2·2000·50,304.
        QTest::newRow("eval") << "eval" << 201216000.0 << 50370;
    }
    void flopCounts() {
        QFETCH(QString, mode);
        QFETCH(double, flops);
        QFETCH(int, trainable);
        const auto run = runCli({"bench", "--arch", "784-64-2", "--batch", "64", "--mode", mode,
                                 "--rank", "4", "--seconds", "0.5"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["flops_per_step"].toDouble(), flops);
        QCOMPARE(run.json["trainable_params"].toInt(), trainable);
        QVERIFY(run.json["steps"].toInt() >= 5);
        QVERIFY(run.json["samples_per_s"].toDouble() > 0);
        QVERIFY(run.json["step_ms_median"].toDouble() > 0);
        QVERIFY(run.json["step_ms_min"].toDouble() <= run.json["step_ms_median"].toDouble());
        // gflops is derived from the same median, not measured separately.
        const double expected = flops / run.json["step_ms_median"].toDouble() / 1e6;
        QVERIFY(qAbs(run.json["gflops"].toDouble() - expected) <= 1e-9 * expected);
    }

    // Which kernels ran is part of every result; --gemm forces one side, and the same product
    // then differs only in its rate.
    void sgemm_data() {
        QTest::addColumn<QString>("gemm");
        QTest::addColumn<bool>("blasUsed");
        QTest::newRow("blas") << "blas" << true;
        QTest::newRow("eigen") << "eigen" << false;
    }
    void sgemm() {
        QFETCH(QString, gemm);
        QFETCH(bool, blasUsed);
        const auto run = runCli(
            {"bench", "--mode", "sgemm", "--size", "128", "--seconds", "0.05", "--gemm", gemm});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["size"].toInt(), 128);
        QVERIFY(run.json["gflops"].toDouble() > 0);
        QCOMPARE(run.json["gemm"].toString(), gemm);
        QCOMPARE(run.json["blas_used"].toBool(), blasUsed);
        QVERIFY(run.json["blas"].toString().startsWith("openblas "));
        QVERIFY(!run.json["blas_core"].toString().isEmpty());
        QVERIFY(run.json["eigen_vector_bits"].toInt() >= 128);
    }

    // Auto takes OpenBLAS exactly when its kernels are at least as wide as Eigen's.
    void autoChoice() {
        const auto run = runCli({"bench", "--mode", "sgemm", "--size", "64", "--seconds", "0.05"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["blas_used"].toBool(),
                 run.json["blas_vector_bits"].toInt() >= run.json["eigen_vector_bits"].toInt());
    }

    void peak() {
        const auto run = runCli({"bench", "--mode", "peak", "--seconds", "0.1"});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.json["gflops"].toDouble() > 0);
        const int bits = run.json["vector_bits"].toInt();
        QVERIFY(bits == 128 || bits == 256 || bits == 512);
    }

    void twoThreads() {
        const auto run = runCli({"bench", "--arch", "784-300-10", "--mode", "lora", "--threads",
                                 "2", "--seconds", "0.05"});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.json["threads"].toInt(), 2);
    }

    void badInput_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("mode") << QStringList{"--mode", "fast"} << "unknown bench mode 'fast'";
        QTest::newRow("batch 0") << QStringList{"--batch", "0"} << "--batch";
        QTest::newRow("threads 0") << QStringList{"--threads", "0"} << "--threads";
        QTest::newRow("seconds") << QStringList{"--seconds", "-1"} << "seconds must be a positive";
        QTest::newRow("rank") << QStringList{"--mode", "lora", "--rank", "0"} << "--rank";
        QTest::newRow("arch") << QStringList{"--arch", "784--2"} << "784--2";
        QTest::newRow("size") << QStringList{"--mode", "sgemm", "--size", "0"} << "--size";
        QTest::newRow("flag") << QStringList{"--epochs", "3"} << "--epochs";
        QTest::newRow("gemm") << QStringList{"--gemm", "mkl"} << "unknown gemm backend 'mkl'";
        QTest::newRow("peak seconds")
            << QStringList{"--mode", "peak", "--seconds", "0"} << "seconds must be a positive";
    }
    void badInput() {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const QStringList quick =
            args.contains("--seconds") ? QStringList{} : QStringList{"--seconds", "0.05"};
        const auto run = runCli(QStringList{"bench"} + quick + args);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.stdErr.contains(message), qPrintable(run.stdErr));
        QCOMPARE(run.stdErr.trimmed().count('\n'), 0);
    }
};

QTEST_GUILESS_MAIN(TestCliBench)
#include "tst_cli_bench.moc"
