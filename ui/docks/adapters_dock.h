#pragma once
// The Adapters dock: every adapter of the current base with its rank, α, classes, test
// accuracy and size on disk, plus a "None (base only)" row. A click activates a row,
// double-click or F2 renames in place, Delete removes (the window makes it undoable); Merge /
// Unmerge show the measured float differences; Combine…, Import…, Export… and Export all… act on
// the library. Refusals come from the AdapterManager (errorOccurred) and leave the list as it was.
#include <QDockWidget>
#include <functional>

class AdapterManager;
class QLabel;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;
namespace lora {
struct MergeReport;
}

class AdaptersDock : public QDockWidget {
    Q_OBJECT
public:
    enum Column {
        StateColumn,
        NameColumn,
        RankColumn,
        AlphaColumn,
        ClassesColumn,
        AccuracyColumn,
        SizeColumn,
        ColumnCount
    };

    explicit AdaptersDock(AdapterManager* adapters, QWidget* parent = nullptr);

    QTableWidget* table() const { return m_table; }
    int rowOf(const QString& name) const; // "" = the None row; -1 if absent
    QString figureText() const;           // the last merge/unmerge measurement
    // What Delete does with an adapter's name: the manager's removeAdapter unless the
    // window routes it through Edit → Undo.
    void setRemover(std::function<bool(const QString&)> remover) { m_remover = std::move(remover); }

public slots:
    void refresh();
    void combine(); // opens the Combine… dialog (non-blocking)
    void importAdapter();
    void exportSelected();
    void exportAll();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QString nameAt(int row) const; // "" for the None row
    QString selectedName() const;  // the current row's adapter, else the active one
    void onClicked(int row);
    void onItemChanged(QTableWidgetItem* item);
    void showMerge(const lora::MergeReport& report);
    void showUnmerge(double maxWeightError);
    void updateButtons();

    AdapterManager* m_adapters;
    QTableWidget* m_table;
    QPushButton* m_merge;
    QPushButton* m_unmerge;
    QPushButton* m_combine;
    QPushButton* m_import;
    QPushButton* m_export;
    QPushButton* m_exportAll;
    QLabel* m_figure;
    // What the figure measured: it goes back to the hint once the base (and so the library)
    // or the active adapter is another (a new base left 'merged: …' of the old one standing).
    const void* m_figureLibrary = nullptr;
    QString m_figureAdapter;
    void showFigure(const QString& text);
    static QString figureHint();
    std::function<bool(const QString&)> m_remover;
    bool m_refreshing = false; // itemChanged from refresh() is not a rename
};
