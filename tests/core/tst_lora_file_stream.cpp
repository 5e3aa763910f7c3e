// LoraFileStream and inspectLoraFile read a real LoRA file module by module: every format gives
// the same modules (names, kinds, shapes, ranks, alphas, scales, factors bit for bit) and the
// same summary as the whole-file readLoraFile; F16 and BF16 files are widened exactly as an F32
// file holding the rounded values; broken files are refused with readLoraFile's message; and
// inspection stops when its progress says so.
#include "io/float16.h"
#include "io/lora_file_stream.h"
#include "linalg/lora_inspection.h"
#include "util/error.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace lora;
using lora::test::TestLoraFile;

namespace {

TestLoraFile fileNamed(const QString& name) {
    if (name == "peft") return test::peftFile();
    if (name == "peft rsLoRA") return test::peftFile(true);
    if (name == "kohya") return test::kohyaFile();
    if (name == "kohya SDXL") return test::kohyaSdxlFile(3, {4, 2, 3}, {2, 2, 1.5f});
    if (name == "diffusers") return test::diffusersFile();
    if (name == "legacy diffusers") return test::legacyDiffusersFile();
    if (name == "lycoris") return test::lycorisFile();
    return test::peftPipelineFile();
}

// Every floating tensor stored as `dtype`; `asF32` keeps F32 but rounds the values the same way.
void storeAs(TestLoraFile& f, TensorDType dtype, bool asF32) {
    for (NamedTensor& t : f.tensors.tensors) {
        for (float& v : t.data)
            v = dtype == TensorDType::F16 ? halfToFloat(floatToHalf(v))
                                          : bf16ToFloat(floatToBf16(v));
        t.dtype = asF32 ? TensorDType::F32 : dtype;
    }
}

void compareModules(const LoraModule& a, const LoraModule& b) {
    QCOMPARE(a.name, b.name);
    QCOMPARE(a.kind, b.kind);
    QCOMPARE(a.shape, b.shape);
    QCOMPARE(a.rank, b.rank);
    QCOMPARE(a.alpha, b.alpha);
    QCOMPARE(a.scale, b.scale);
    QCOMPARE(a.params, b.params);
    QCOMPARE(a.note, b.note);
    QVERIFY(a.up == b.up && a.down == b.down);
    QVERIFY(a.kronLeft == b.kronLeft && a.kronRight == b.kronRight);
}

} // namespace

class TestLoraFileStream : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    int m_count = 0;

    std::string write(const TestLoraFile& f) {
        return test::writeLoraTestFile(
            m_dir.filePath(QString("f%1%2").arg(++m_count).arg(f.config.empty() ? ".st" : ""))
                .toStdString(),
            f);
    }

private slots:
    void sameAsWholeFile_data() {
        QTest::addColumn<QString>("name");
        for (const char* name : {"peft", "peft rsLoRA", "kohya", "kohya SDXL", "diffusers",
                                 "legacy diffusers", "lycoris", "peft pipeline"})
            QTest::newRow(name) << QString(name);
    }
    void sameAsWholeFile() {
        QFETCH(QString, name);
        const std::string path = write(fileNamed(name));
        const LoraFile whole = readLoraFile(path);
        const LoraFileStream stream(path);
        const LoraFile& summary = stream.summary();
        QCOMPARE(summary.format, whole.format);
        QCOMPARE(summary.metadata, whole.metadata);
        QCOMPARE(summary.baseModel, whole.baseModel);
        QCOMPARE(summary.params, whole.params);
        QCOMPARE(summary.bytes, whole.bytes);
        QCOMPARE(summary.rslora, whole.rslora);
        QVERIFY(summary.modules.empty());
        QCOMPARE(stream.moduleCount(), whole.modules.size());
        for (std::size_t i = 0; i < whole.modules.size(); ++i)
            compareModules(stream.module(i), whole.modules[i]);

        const LoraReport report = inspectLoraFile(path);
        QCOMPARE(report.modules.size(), whole.modules.size());
        QVERIFY(!report.cancelled);
        for (std::size_t i = 0; i < whole.modules.size(); ++i) {
            const ModuleSpectrum expected = moduleSpectrum(whole.modules[i]);
            QCOMPARE(report.modules[i].module.name, whole.modules[i].name);
            QCOMPARE(report.modules[i].spectrum.singularValues, expected.singularValues);
            QCOMPARE(report.modules[i].module.up.size(), Eigen::Index(0)); // figures only
        }
    }

    // A half-precision file reads as the F32 file of its rounded values: the same factors.
    void halfPrecisionWidensExactly_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("dtype");
        for (const char* name : {"peft", "kohya SDXL", "lycoris"}) {
            QTest::addRow("%s BF16", name) << QString(name) << int(TensorDType::BF16);
            QTest::addRow("%s F16", name) << QString(name) << int(TensorDType::F16);
        }
    }
    void halfPrecisionWidensExactly() {
        QFETCH(QString, name);
        QFETCH(int, dtype);
        TestLoraFile half = fileNamed(name), rounded = fileNamed(name);
        storeAs(half, TensorDType(dtype), false);
        storeAs(rounded, TensorDType(dtype), true);
        const std::string halfPath = write(half), roundedPath = write(rounded);
        const LoraFileStream a(halfPath);
        const LoraFile b = readLoraFile(roundedPath);
        QCOMPARE(a.moduleCount(), b.modules.size());
        for (std::size_t i = 0; i < b.modules.size(); ++i)
            compareModules(a.module(i), b.modules[i]);
        QVERIFY(a.summary().bytes < b.bytes); // two bytes a value on disk
    }

    void refusesAsTheWholeFileReaderDoes_data() {
        QTest::addColumn<QString>("fault");
        QTest::newRow("missing half") << "missing";
        QTest::newRow("NaN factor") << "nan";
        QTest::newRow("unknown suffix") << "suffix";
        QTest::newRow("ranks disagree") << "ranks";
    }
    void refusesAsTheWholeFileReaderDoes() {
        QFETCH(QString, fault);
        TestLoraFile f = test::kohyaFile();
        auto& tensors = f.tensors.tensors;
        const std::string te1 = "lora_te1_text_model_encoder_layers_0_self_attn_q_proj";
        if (fault == "missing")
            std::erase_if(tensors, [&](auto& t) { return t.name == te1 + ".lora_up.weight"; });
        for (auto& t : tensors) {
            if (fault == "nan" && t.name == te1 + ".lora_up.weight") t.data[3] = NAN;
            if (fault == "ranks" && t.name == te1 + ".lora_up.weight")
                t = {t.name, {16, 3}, std::vector<float>(48, 1)};
        }
        if (fault == "suffix") tensors.push_back({"x.lora_C.weight", {1, 1}, {1}});
        const std::string path = write(f);
        QString expected;
        try {
            (void)readLoraFile(path);
            QFAIL("a broken file was read");
        } catch (const InputError& e) {
            expected = e.what();
        }
        try {
            (void)inspectLoraFile(path);
            QFAIL("a broken file was inspected");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), expected);
        }
    }

    // The Gram route to the spectrum on factors that are not of full rank: B = 0 (PEFT's
    // initial state), B with two equal columns, and values spread over eight decades.
    void degenerateFactorsMatchDenseSvd_data() {
        QTest::addColumn<QString>("case_");
        QTest::newRow("B = 0") << "zero";
        QTest::newRow("two equal columns") << "equal";
        QTest::newRow("eight decades") << "decades";
    }
    void degenerateFactorsMatchDenseSvd() {
        QFETCH(QString, case_);
        Rng rng(9);
        NamedTensor a = test::tensor(rng, "m.lora_A.weight", {4, 30});
        NamedTensor b = test::tensor(rng, "m.lora_B.weight", {20, 4});
        for (int i = 0; i < 20; ++i)
            for (int j = 0; j < 4; ++j) {
                float& v = b.data[i * 4 + j];
                if (case_ == "zero") v = 0;
                if (case_ == "equal" && j == 3) v = b.data[i * 4 + 2];
                if (case_ == "decades") v *= std::pow(1e-3f, float(j));
            }
        TestLoraFile f;
        f.tensors.tensors = {a, b};
        const std::string path = write(f);
        const LoraReport report = inspectLoraFile(path);
        const Eigen::MatrixXd delta = test::denseOf(b) * test::denseOf(a);
        const Eigen::VectorXd expected = Eigen::BDCSVD<Eigen::MatrixXd>(delta).singularValues();
        const std::vector<double>& got = report.modules.at(0).spectrum.singularValues;
        QCOMPARE(got.size(), std::size_t(4));
        for (int i = 0; i < 4; ++i)
            QVERIFY2(std::abs(got[i] - expected(i)) <= 1e-6 * std::max(expected(0), 1e-30) ||
                         (expected(0) == 0 && got[i] == 0),
                     qPrintable(QString("σ%1: %2 vs %3").arg(i).arg(got[i]).arg(expected(i))));
    }

    // A PEFT folder's weights may not lead out of it: both readers refuse the symlink.
    void symlinkOutOfTheFolderIsRefused() {
        const std::string outside = write(test::kohyaFile());
        const std::string folder = write(test::peftFile());
        const std::string weights = folder + "/adapter_model.safetensors";
        QVERIFY(QFile::remove(QString::fromStdString(weights)));
        QVERIFY(QFile::link(QString::fromStdString(outside), QString::fromStdString(weights)));
        for (int reader = 0; reader < 2; ++reader) {
            try {
                if (reader == 0) (void)readLoraFile(folder);
                if (reader == 1) (void)inspectLoraFile(folder);
                QFAIL("a symlink out of the folder was followed");
            } catch (const InputError& e) {
                QVERIFY2(QString(e.what()).contains("resolves to a place outside"), e.what());
            }
        }
    }

    void progressCanStop() {
        const std::string path = write(test::kohyaSdxlFile(4, {2, 2, 2}, {1, 1, 1}));
        std::vector<std::pair<std::size_t, std::size_t>> calls;
        const LoraReport report = inspectLoraFile(path, [&](std::size_t done, std::size_t total) {
            calls.emplace_back(done, total);
            return done < 2;
        });
        QVERIFY(report.cancelled);
        QCOMPARE(report.modules.size(), std::size_t(2));
        QCOMPARE(calls, (std::vector<std::pair<std::size_t, std::size_t>>{{1, 3}, {2, 3}}));
    }
};

QTEST_APPLESS_MAIN(TestLoraFileStream)
#include "tst_lora_file_stream.moc"
