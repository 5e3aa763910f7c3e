// The resize preview from a report alone: per-module kept rank and retained Frobenius share
// by hand from the singular values, and the new size against what resizeLoraFile writes.
#include "linalg/lora_file_resize.h"
#include "linalg/resize_preview.h"

#include "lora_test_files.h"

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>

using namespace lora;

class TestResizePreview : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private slots:
    void handMade() {
        LoraReport report;
        report.bytes = 1000;
        report.params = 250; // 4 bytes a value
        ModuleReport m;
        m.module.kind = ModuleKind::Lora;
        m.module.rank = 4;
        m.module.params = 4 * (10 + 15); // up [10, 4], down [4, 15]
        m.spectrum.available = true;
        m.spectrum.singularValues = {4, 2, 1, 0.5};
        report.modules.push_back(m);
        ModuleReport loha = m;
        loha.module.kind = ModuleKind::Loha;
        report.modules.push_back(loha);

        const ResizePreview p = previewResize(report, {ResizeMethod::Rank, 2, 0});
        QCOMPARE(p.modules.size(), std::size_t(2));
        QCOMPARE(p.modules[0].newRank, 2);
        QVERIFY(std::abs(p.modules[0].froRetained - std::sqrt(20.0 / 21.25)) < 1e-12);
        QVERIFY(p.modules[0].resized);
        QCOMPARE(p.modules[1].newRank, 4); // LoHa is kept, as resizeLoraFile keeps it
        QVERIFY(!p.modules[1].resized);
        QCOMPARE(p.bytesBefore, std::uint64_t(1000));
        QCOMPARE(p.bytesAfter, std::uint64_t(1000 - 2 * 25 * 4));

        const ResizePreview ratio = previewResize(report, {ResizeMethod::SvRatio, 3, 0});
        QCOMPARE(ratio.modules[0].newRank, 2);
    }

    void matchesTheWrittenFile() {
        const test::TestLoraFile f = test::kohyaFile();
        const std::string path = m_dir.filePath("kohya.safetensors").toStdString();
        writeSafetensors(path, f.tensors);
        const LoraReport report = inspectLoraFile(path);
        const ResizeRule rule{ResizeMethod::Rank, 1, 0};
        const ResizePreview p = previewResize(report, rule);
        const std::string out = m_dir.filePath("kohya-r1.safetensors").toStdString();
        const FileResize done = resizeLoraFile(path, out, rule, {});
        QCOMPARE(p.modules.size(), done.modules.size());
        for (std::size_t i = 0; i < p.modules.size(); ++i) {
            QCOMPARE(p.modules[i].newRank, done.modules[i].newRank);
            QVERIFY(std::abs(p.modules[i].froRetained - done.modules[i].froRetained) < 1e-9);
        }
        // F32 throughout: the estimate misses only the header's shrinking shapes and ss_ keys.
        const double written = double(std::filesystem::file_size(out));
        QVERIFY2(std::abs(double(p.bytesAfter) - written) < 0.05 * written,
                 qPrintable(QString("%1 vs %2").arg(p.bytesAfter).arg(written)));
    }
};

QTEST_GUILESS_MAIN(TestResizePreview)
#include "tst_resize_preview.moc"
