// Resizing real LoRA files: kohya's rank rules on hand-made spectra; then, for a PEFT folder
// (rsLoRA too), a kohya file (in F16) and a diffusers file with its header config, resize →
// write → read gives modules whose ΔW is exactly the best rank-r′ part of the original
// (Eckart–Young against a dense SVD, 1e-4 relative), with the scale, the keys, the order and
// the dtypes kept; modules already small enough keep their tensors bit for bit, and LoHa /
// LoKr are carried over untouched with their reason.
#include "io/lora_file.h"
#include "io/lora_file_write.h"
#include "linalg/lora_resize.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

using namespace lora;
using lora::test::Dense;
using lora::test::TestLoraFile;

namespace {

std::string writeSource(const QTemporaryDir& dir, const TestLoraFile& f, const std::string& name) {
    const std::string path = dir.filePath(QString::fromStdString(name)).toStdString();
    if (f.config.empty()) {
        writeSafetensors(path, f.tensors);
        return path;
    }
    QDir().mkpath(QString::fromStdString(path));
    writeSafetensors(path + "/adapter_model.safetensors", f.tensors);
    std::ofstream(path + "/adapter_config.json") << f.config;
    return path;
}

Dense bestRank(const Dense& m, int r) {
    Eigen::BDCSVD<Dense> svd(m, Eigen::ComputeThinU | Eigen::ComputeThinV);
    r = std::min<int>(r, static_cast<int>(svd.singularValues().size()));
    return svd.matrixU().leftCols(r) * svd.singularValues().head(r).asDiagonal() *
           svd.matrixV().leftCols(r).transpose();
}

Dense deltaOf(const LoraModule& m) {
    return m.scale * m.up.cast<double>() * m.down.cast<double>();
}

// Resizes `f` to rank `r` and reads the result back.
LoraFile resized(const QTemporaryDir& dir, const TestLoraFile& f, const std::string& name, int r,
                 LoraSource* written = nullptr) {
    LoraSource source;
    const LoraFile file = readLoraFile(writeSource(dir, f, name), &source);
    std::vector<ModuleReplacement> replaced;
    for (const LoraModule& m : file.modules) {
        const ResizedModule out = resizeModule(m, {ResizeMethod::Rank, double(r), 0}, file.rslora);
        if (out.resized) replaced.push_back({out.name, out.up, out.down, out.alpha});
    }
    const std::string outPath = dir.filePath(QString::fromStdString(name + "-r")).toStdString();
    writeLoraFile(outPath, source, file, replaced, {});
    return readLoraFile(outPath, written);
}

} // namespace

class TestLoraResize : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void keptRank_data() {
        QTest::addColumn<int>("method");
        QTest::addColumn<double>("value");
        QTest::addColumn<int>("cap");
        QTest::addColumn<int>("expected");
        // σ = 4, 2, 1, 0.5: Σσ = 7.5, Σσ² = 21.25.
        QTest::newRow("rank 2") << int(ResizeMethod::Rank) << 2.0 << 0 << 2;
        QTest::newRow("rank above the size") << int(ResizeMethod::Rank) << 9.0 << 0 << 4;
        QTest::newRow("sv-ratio 3: σ > 4/3") << int(ResizeMethod::SvRatio) << 3.0 << 0 << 2;
        QTest::newRow("sv-ratio 1: at least one") << int(ResizeMethod::SvRatio) << 1.0 << 0 << 1;
        QTest::newRow("sv-fro 0.9: 20 ≥ 0.81·21.25") << int(ResizeMethod::SvFro) << 0.9 << 0 << 2;
        QTest::newRow("sv-cumulative 0.9: 7 ≥ 6.75")
            << int(ResizeMethod::SvCumulative) << 0.9 << 0 << 3;
        QTest::newRow("sv-cumulative 1") << int(ResizeMethod::SvCumulative) << 1.0 << 0 << 4;
        QTest::newRow("capped") << int(ResizeMethod::SvCumulative) << 0.9 << 1 << 1;
    }
    void keptRank() {
        QFETCH(int, method);
        QFETCH(double, value);
        QFETCH(int, cap);
        QFETCH(int, expected);
        QCOMPARE(lora::keptRank({4, 2, 1, 0.5}, {ResizeMethod(method), value, cap}), expected);
    }

    void eckartYoungKept_data() {
        QTest::addColumn<QString>("format");
        QTest::newRow("peft") << "peft";
        QTest::newRow("peft rsLoRA") << "peft-rs";
        QTest::newRow("kohya in F16") << "kohya";
        QTest::newRow("diffusers") << "diffusers";
    }
    void eckartYoungKept() {
        QFETCH(QString, format);
        TestLoraFile f = format == "kohya"       ? test::kohyaFile()
                         : format == "diffusers" ? test::diffusersFile()
                                                 : test::peftFile(format == "peft-rs");
        if (format == "kohya")
            for (NamedTensor& t : f.tensors.tensors) t.dtype = TensorDType::F16;
        LoraSource originalSource;
        const std::string name = format.toStdString();
        const LoraFile original = readLoraFile(writeSource(m_dir, f, name), &originalSource);
        LoraSource written;
        const LoraFile small = resized(m_dir, f, name, 2, &written);
        QCOMPARE(toString(small.format), toString(original.format));
        QCOMPARE(small.modules.size(), original.modules.size());
        QCOMPARE(written.tensors.tensors.size(), originalSource.tensors.tensors.size());
        for (std::size_t i = 0; i < written.tensors.tensors.size(); ++i) {
            QCOMPARE(written.tensors.tensors[i].name, originalSource.tensors.tensors[i].name);
            QCOMPARE(int(written.tensors.tensors[i].dtype),
                     int(originalSource.tensors.tensors[i].dtype));
        }
        const double tolerance = format == "kohya" ? 2e-3 : 1e-4; // F16 factors
        for (std::size_t i = 0; i < original.modules.size(); ++i) {
            const LoraModule& before = original.modules[i];
            const LoraModule& after = small.modules[i];
            QCOMPARE(after.name, before.name);
            QCOMPARE(after.rank, std::min(2, before.rank));
            QVERIFY(std::abs(after.scale - before.scale) <= 1e-6 * before.scale);
            const Dense expected = bestRank(deltaOf(before), 2);
            QVERIFY2((deltaOf(after) - expected).norm() <= tolerance * expected.norm(),
                     before.name.c_str());
            if (before.rank <= 2) { // nothing dropped: the very same values
                QCOMPARE(after.up, before.up);
                QCOMPARE(after.down, before.down);
            }
        }
    }

    void lycorisIsCarriedOver() {
        const TestLoraFile f = test::lycorisFile();
        const LoraFile file = readLoraFile(writeSource(m_dir, f, "lycoris.safetensors"));
        for (const LoraModule& m : file.modules) {
            const ResizedModule r = resizeModule(m, {ResizeMethod::Rank, 1, 0}, false);
            QVERIFY(!r.resized);
            QVERIFY2(r.reason.find("kept as they are") != std::string::npos, r.reason.c_str());
        }
        LoraSource written;
        const LoraFile again = resized(m_dir, f, "lycoris.safetensors", 1, &written);
        QCOMPARE(written.tensors.tensors.size(), f.tensors.tensors.size());
        for (std::size_t i = 0; i < f.tensors.tensors.size(); ++i)
            QCOMPARE(written.tensors.tensors[i].data, f.tensors.tensors[i].data);
        QCOMPARE(again.modules.size(), file.modules.size());
    }
};

QTEST_APPLESS_MAIN(TestLoraResize)
#include "tst_lora_resize.moc"
