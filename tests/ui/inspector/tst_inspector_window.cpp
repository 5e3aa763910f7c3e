// The Adapter inspector on generated LoRA files of several formats: the heatmap and the table
// hold one entry per module with ‖ΔW‖_F of the dense ΔW; a click on a cell selects its module
// and the spectrum chart holds its σ (dense SVD); the slider drives the resize preview to the
// figures computed here by hand; a broken file is refused with its message and the previous
// report stays; Export writes a file that reads back at the chosen rank; Compare against the
// same file gives cosine 1 and φ 1.
#include "inspector/inspector_window.h"
#include "inspector/module_grid_widget.h"
#include "inspector/module_table.h"
#include "inspector/resize_section.h"
#include "inspector/spectrum_charts.h"
#include "io/lora_file.h"

#include "lora_test_files.h"

#include <Eigen/SVD>
#include <QComboBox>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <fstream>

using lora::test::Dense;
using lora::test::TestLoraFile;

namespace {

constexpr int kWaitMs = 60000; // a loaded machine; never a timing assertion

QString writeSource(const QTemporaryDir& dir, const TestLoraFile& f, const QString& name) {
    const QString path = dir.filePath(name);
    if (f.config.empty()) {
        lora::writeSafetensors(path.toStdString(), f.tensors);
        return path;
    }
    QDir().mkpath(path);
    lora::writeSafetensors((path + "/adapter_model.safetensors").toStdString(), f.tensors);
    std::ofstream((path + "/adapter_config.json").toStdString()) << f.config;
    return path;
}

Eigen::VectorXd sigmaOf(const Dense& d) {
    return Eigen::JacobiSVD<Dense>(d).singularValues();
}

bool load(InspectorWindow& w, const QString& path) {
    QSignalSpy loaded(&w, &InspectorWindow::loaded);
    w.open(path);
    return loaded.wait(kWaitMs);
}

// Values of the module's own tensors (its factors and alpha), from the generator's tensors.
std::int64_t valuesOf(const TestLoraFile& f, const std::string& module) {
    std::int64_t n = 0;
    for (const lora::NamedTensor& t : f.tensors.tensors)
        if (t.name.rfind(module + ".", 0) == 0) n += std::int64_t(t.data.size());
    return n;
}

} // namespace

class TestInspectorWindow : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    TestLoraFile m_kohya = lora::test::kohyaFile();
    QString m_kohyaPath;

private slots:
    void initTestCase() { m_kohyaPath = writeSource(m_dir, m_kohya, "kohya.safetensors"); }

    void loadFillsGridAndTable_data() {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("format");
        QTest::newRow("kohya") << 1 << "kohya";
        QTest::newRow("peft folder") << 0 << "peft";
        QTest::newRow("diffusers") << 2 << "diffusers";
    }
    void loadFillsGridAndTable() {
        QFETCH(int, which);
        QFETCH(QString, format);
        const TestLoraFile f = which == 0   ? lora::test::peftFile()
                               : which == 1 ? m_kohya
                                            : lora::test::diffusersFile();
        InspectorWindow w;
        w.show();
        QVERIFY(load(w, writeSource(m_dir, f, format + "-load" + (which ? ".safetensors" : ""))));
        const lora::LoraReport& r = w.report();
        QCOMPARE(r.modules.size(), f.delta.size());
        QCOMPARE(w.table()->rowCount(), int(f.delta.size()));
        QVERIFY(w.headerText().contains("format " + format));
        const Eigen::MatrixXd& grid = w.grid()->values();
        int filled = 0;
        for (double v : grid.reshaped()) filled += std::isfinite(v) ? 1 : 0;
        QCOMPARE(filled, int(f.delta.size())); // one module per cell in these files
        for (int i = 0; i < int(r.modules.size()); ++i) {
            const auto it = f.delta.find(r.modules[std::size_t(i)].module.name);
            QVERIFY(it != f.delta.end());
            const double norm = it->second.norm();
            QVERIFY(std::abs(r.modules[std::size_t(i)].spectrum.deltaNorm - norm) < 1e-4 * norm);
            // The table's ‖ΔW‖ cell of that module (rows may be sorted: find it by index).
            for (int row = 0; row < w.table()->rowCount(); ++row)
                if (w.table()->moduleAt(row) == i)
                    QVERIFY(std::abs(w.table()
                                         ->item(row, ModuleTable::Norm)
                                         ->data(Qt::DisplayRole)
                                         .toDouble() -
                                     norm) < 1e-3 * norm);
        }
    }

    void clickSelectsModule() {
        InspectorWindow w;
        w.resize(1280, 820);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(load(w, m_kohyaPath));
        const lora::LoraReport& r = w.report();
        for (int i = int(r.modules.size()) - 1; i >= 0; --i) {
            const Eigen::MatrixXd& grid = w.grid()->values();
            // The cell holding module i's norm.
            int row = -1, col = -1;
            for (int a = 0; a < grid.rows(); ++a)
                for (int b = 0; b < grid.cols(); ++b)
                    if (std::isfinite(grid(a, b)) &&
                        grid(a, b) == r.modules[std::size_t(i)].spectrum.deltaNorm)
                        row = a, col = b;
            QVERIFY(row >= 0);
            QTest::mouseClick(w.grid(), Qt::LeftButton, {}, w.grid()->cellRect(row, col).center());
            QCOMPARE(w.selectedModule(), i);
            const Eigen::VectorXd sigma =
                sigmaOf(m_kohya.delta.at(r.modules[std::size_t(i)].module.name));
            const QList<QPointF> points = w.spectrum()->sigmaSeries()->points();
            QCOMPARE(points.size(), qsizetype(r.modules[std::size_t(i)].module.rank));
            for (int k = 0; k < points.size(); ++k) {
                QCOMPARE(points[k].x(), double(k + 1));
                QVERIFY(std::abs(points[k].y() - sigma(k)) < 1e-4 * sigma(0));
            }
            QVERIFY(w.healthText().contains(
                QString::fromStdString(r.modules[std::size_t(i)].module.name)));
        }
    }

    void sliderDrivesPreview() {
        InspectorWindow w;
        QVERIFY(load(w, m_kohyaPath));
        const lora::LoraReport& r = w.report();
        w.resizeSection()->methodCombo()->setCurrentIndex(0); // rank
        w.resizeSection()->slider()->setValue(1);
        double saved = 0;
        for (std::size_t i = 0; i < r.modules.size(); ++i) {
            const lora::LoraModule& m = r.modules[i].module;
            const Eigen::VectorXd sigma = sigmaOf(m_kohya.delta.at(m.name));
            QCOMPARE(w.preview().modules[i].newRank, 1);
            QVERIFY(std::abs(w.preview().modules[i].froRetained - sigma(0) / sigma.norm()) < 1e-5);
            // Factor values per rank, F32 (4 bytes): the alpha scalar is not one of them.
            const std::int64_t factors = valuesOf(m_kohya, m.name) - (m.alphaKey.empty() ? 0 : 1);
            saved += double(m.rank - 1) * double(factors / m.rank) * 4;
        }
        QCOMPARE(w.preview().bytesAfter, std::uint64_t(double(r.bytes) - saved));
        QVERIFY(w.resizeSection()->summary()->text().contains(
            QString::number(100.0 * double(w.preview().bytesAfter) / double(r.bytes), 'f', 1)));
        // Back to the full rank: nothing is cut.
        w.resizeSection()->slider()->setValue(w.resizeSection()->slider()->maximum());
        QCOMPARE(w.preview().bytesAfter, r.bytes);
        w.metricCombo()->setCurrentIndex(InspectorWindow::FroKept);
        for (double v : w.grid()->values().reshaped())
            if (std::isfinite(v)) QCOMPARE(v, 1.0);
    }

    void brokenFileKeepsReport() {
        InspectorWindow w;
        QVERIFY(load(w, m_kohyaPath));
        const QString header = w.headerText();
        const QString broken = m_dir.filePath("broken.safetensors");
        std::ofstream(broken.toStdString()) << "not a safetensors file at all";
        QSignalSpy failed(&w, &InspectorWindow::failed);
        QSignalSpy loaded(&w, &InspectorWindow::loaded);
        w.open(broken);
        QVERIFY(failed.wait(kWaitMs));
        QVERIFY(w.lastError().startsWith(broken + ": "));
        QVERIFY(!w.lastError().contains('\n'));
        QCOMPARE(loaded.count(), 0);
        QCOMPARE(w.headerText(), header);
        QCOMPARE(w.table()->rowCount(), int(m_kohya.delta.size()));
        auto* box = w.findChild<QMessageBox*>();
        QVERIFY(box);
        QCOMPARE(box->text(), w.lastError());
        box->close();
    }

    void exportWritesChosenRank() {
        InspectorWindow w;
        QVERIFY(load(w, m_kohyaPath));
        w.resizeSection()->methodCombo()->setCurrentIndex(0);
        w.resizeSection()->slider()->setValue(2);
        const QString out = m_dir.filePath("kohya-r2.safetensors");
        QSignalSpy exported(&w, &InspectorWindow::exported);
        w.exportTo(out);
        QVERIFY(exported.wait(kWaitMs));
        const lora::LoraFile file = lora::readLoraFile(out.toStdString());
        QCOMPARE(file.modules.size(), w.report().modules.size());
        for (std::size_t i = 0; i < file.modules.size(); ++i)
            QCOMPARE(file.modules[i].rank, std::min(2, w.report().modules[i].module.rank));
    }

    void compareWithItselfIsOne() {
        InspectorWindow w;
        QVERIFY(load(w, m_kohyaPath));
        QSignalSpy compared(&w, &InspectorWindow::compared);
        w.compareWith(m_kohyaPath);
        QVERIFY(compared.wait(kWaitMs));
        QCOMPARE(w.metricCombo()->currentIndex(), int(InspectorWindow::Cosine));
        for (double v : w.grid()->values().reshaped())
            if (std::isfinite(v)) QVERIFY(std::abs(v - 1) < 1e-5);
        QVERIFY(!w.table()->isColumnHidden(ModuleTable::Cosine));
    }
};

QTEST_MAIN(TestInspectorWindow)
#include "tst_inspector_window.moc"
