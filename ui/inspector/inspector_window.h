#pragma once
// The Adapter inspector: any real LoRA file (PEFT folder, kohya, diffusers, LyCORIS) read off
// the GUI thread with a progress bar, then shown as a header line, a per-block heatmap, the
// selected module's spectrum and health, a sortable table of every module, the metadata, a
// live resize preview with Export…, and Compare… against a second file module by module.
// A file that cannot be read leaves the previous view as it was and says why in a dialog.
#include "linalg/lora_inspection.h"
#include "linalg/module_compare.h"
#include "linalg/resize_preview.h"

#include <QWidget>
#include <memory>
#include <optional>
#include <vector>

class BackgroundTask;
class MetadataSection;
class ModuleGridWidget;
class ModuleTable;
class QComboBox;
class QLabel;
class QProgressBar;
class ResizeSection;
class SpectrumCharts;

class InspectorWindow : public QWidget {
    Q_OBJECT
public:
    enum Metric { DeltaNorm, EffectiveRank, FroKept, Cosine, Phi };

    explicit InspectorWindow(QWidget* parent = nullptr);
    ~InspectorWindow() override;

    void open(const QString& path);        // reads in the background; loaded() or failed()
    void compareWith(const QString& path); // compared() or failed()
    void exportTo(const QString& path);    // exported() or failed()
    void chooseFile();                     // file dialogs for the buttons
    void chooseComparison();
    void chooseExport();
    bool isBusy() const;

    bool hasReport() const { return m_report != nullptr; }
    const lora::LoraReport& report() const { return *m_report; }
    QString path() const { return m_path; }
    const lora::ResizePreview& preview() const { return m_preview; }
    int selectedModule() const { return m_selected; }
    void selectModule(int index);
    QString headerText() const;
    QString healthText() const;
    QString lastError() const { return m_lastError; }

    ModuleGridWidget* grid() const { return m_grid; }
    ModuleTable* table() const { return m_table; }
    SpectrumCharts* spectrum() const { return m_spectrum; }
    ResizeSection* resizeSection() const { return m_resize; }
    MetadataSection* metadata() const { return m_metadata; }
    QComboBox* metricCombo() const { return m_metric; }
    QProgressBar* progressBar() const { return m_progress; }

signals:
    void loaded();
    void compared();
    void exported(const QString& path);
    void failed(const QString& message);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildLayout();
    void adopt(std::shared_ptr<lora::LoraReport> report, const QString& path);
    void showError(const QString& message);
    void refreshGrid();
    void refreshPreview();
    void onCellClicked(int row, int column);
    double metricOf(int module) const;
    void startProgress(const QString& what);

    std::shared_ptr<const lora::LoraReport> m_report;
    std::shared_ptr<lora::LoraReport> m_pending; // the newest read's result slot
    QString m_path, m_pendingPath;
    std::vector<int> m_rowOf, m_columnOf; // per module, its heatmap cell
    lora::ResizePreview m_preview;
    std::vector<std::optional<lora::ModuleComparison>> m_comparison;
    std::shared_ptr<std::vector<std::optional<lora::ModuleComparison>>> m_pendingComparison;
    QString m_exportPath, m_comparePath;
    int m_selected = -1;
    QString m_lastError;

    BackgroundTask* m_load = nullptr;
    BackgroundTask* m_compare = nullptr;
    BackgroundTask* m_export = nullptr;
    QLabel* m_header = nullptr;
    QLabel* m_health = nullptr;
    QLabel* m_status = nullptr;
    QProgressBar* m_progress = nullptr;
    QComboBox* m_metric = nullptr;
    ModuleGridWidget* m_grid = nullptr;
    ModuleTable* m_table = nullptr;
    SpectrumCharts* m_spectrum = nullptr;
    ResizeSection* m_resize = nullptr;
    MetadataSection* m_metadata = nullptr;
};
